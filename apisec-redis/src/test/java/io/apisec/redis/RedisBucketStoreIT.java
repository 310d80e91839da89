package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.BucketStoreContract;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bucket store contract against a single redis-server process. */
class RedisBucketStoreIT extends BucketStoreContract {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected BucketStore createStore(TestClock clock) {
    return RedisStores.connected(RedisBucketStore.create(
        RedisSettings.standalone(redis.uri()).timeout(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(100)).build(),
        clock));
  }

  @Test
  void bucketsLiveInRedisUnderAHashTaggedKeyThatHidesTheCallerIdentity() {
    RateLimitPolicy policy = policy("per-ip", 5, Duration.ofMinutes(1));
    consume("198.51.100.7", policy);
    String keys = redis.cli("--scan", "--pattern", "apisec:rl:{per-ip:*");
    assertThat(keys.lines()).hasSize(1);
    // the exact mode's script keeps its bucket beside bucket4j's key, under the same hash tag
    assertThat(keys).matches("apisec:rl:\\{per-ip:[A-Za-z0-9_-]{20}\\}:tb").doesNotContain("198.51.100.7");
    assertThat(redis.cli("pttl", keys.lines().findFirst().orElseThrow()).trim()).matches("\\d+");
    assertThat(redis.cli("zcard", "apisec:nodes")).isEqualTo("1");
  }
}
