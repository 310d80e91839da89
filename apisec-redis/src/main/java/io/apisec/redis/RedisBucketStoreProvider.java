package io.apisec.redis;

import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.BucketStoreProvider;
import java.time.Clock;
import java.util.Map;

/**
 * Serves {@code store: {type: redis, ...}} through {@link java.util.ServiceLoader}. Stateless and
 * thread-safe.
 */
public final class RedisBucketStoreProvider implements BucketStoreProvider {
  @Override
  public String type() {
    return "redis";
  }

  @Override
  public void validate(Map<String, Object> settings) {
    RedisSettings.fromMap(settings);
  }

  @Override
  public BucketStore create(Map<String, Object> settings, Clock clock) {
    return RedisBucketStore.create(RedisSettings.fromMap(settings), clock);
  }
}
