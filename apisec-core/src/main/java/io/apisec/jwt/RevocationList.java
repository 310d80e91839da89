package io.apisec.jwt;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A deny list of token ids ({@code jti}): a revoked token is refused even while its signature and
 * lifetime are valid. Entries need to live only until the token's own expiry.
 *
 * <p>Implementations are thread-safe and never block the caller: a remote store answers through
 * the returned stage. A stage that completes exceptionally is treated as the store being
 * unreachable and mapped by the pipeline's failure policy (fail closed by default).
 */
public interface RevocationList {
  /** Whether the token with this id is revoked. */
  CompletionStage<Boolean> isRevoked(String tokenId);

  /** Revokes the token with this id until {@code expiresAt} (its {@code exp}). */
  CompletionStage<Void> revoke(String tokenId, Instant expiresAt);
}
