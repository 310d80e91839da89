package io.apisec.dpop;

import java.time.Clock;
import java.util.Map;

/**
 * Creates a {@link ProofReplayCache} on the configured {@code store} (the one the rate-limit
 * buckets use), found through {@link java.util.ServiceLoader} so that the core never depends on
 * the store's client library: with {@code store: {type: redis}} and {@code apisec-redis} on the
 * class path, proofs are remembered in Redis. Implementations are stateless and thread-safe.
 */
public interface ProofReplayCacheProvider {
  /** The {@code store.type} this provider serves, such as {@code redis}. */
  String type();

  /** Creates the cache; it may connect lazily, and must not fail because its backend is down. */
  ProofReplayCache create(Map<String, Object> settings, Clock clock);
}
