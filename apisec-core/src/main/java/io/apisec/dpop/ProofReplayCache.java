package io.apisec.dpop;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The DPoP proof identifiers ({@code jti}) seen while a proof is still acceptable, so that each
 * proof is accepted once (RFC 9449 §11.1). Shared by every node that should refuse a proof
 * replayed on another: the in-memory cache covers one process, {@code apisec-redis} a fleet.
 *
 * <p>Implementations are thread-safe and never block. The identifiers they receive are already
 * hashes (base64url SHA-256 of the key thumbprint and the {@code jti}), never client text. A
 * store that cannot answer completes exceptionally, which the pipeline answers with 503: a proof
 * is never accepted without the replay check (fail closed).
 */
public interface ProofReplayCache extends AutoCloseable {
  /**
   * Records {@code id} until {@code expiresAt}; completes with {@code true} when this is its first
   * use, {@code false} when it was recorded before and has not expired.
   */
  CompletionStage<Boolean> firstUse(String id, Instant expiresAt);

  /** Releases connections and threads; the default does nothing. */
  @Override
  default void close() {}
}
