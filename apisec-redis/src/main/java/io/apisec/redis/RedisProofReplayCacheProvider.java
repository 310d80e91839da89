package io.apisec.redis;

import io.apisec.dpop.ProofReplayCache;
import io.apisec.dpop.ProofReplayCacheProvider;
import java.time.Clock;
import java.util.Map;

/**
 * Puts the DPoP replay cache in Redis when the configured {@code store} is {@code redis}, through
 * {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class RedisProofReplayCacheProvider implements ProofReplayCacheProvider {
  @Override
  public String type() {
    return "redis";
  }

  @Override
  public ProofReplayCache create(Map<String, Object> settings, Clock clock) {
    return RedisProofReplayCache.create(RedisSettings.fromMap(settings), clock);
  }
}
