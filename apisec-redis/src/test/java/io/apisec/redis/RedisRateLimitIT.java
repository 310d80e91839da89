package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.RequestView;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigLoader;
import io.apisec.ratelimit.TestClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two gateways configured from YAML with {@code store: {type: redis}} share one limit. */
class RedisRateLimitIT {
  private static Decision get(ApiSecurity gateway) {
    return gateway.evaluate(RequestView.builder().method("GET").target("/items")
            .remoteAddress(new InetSocketAddress("198.51.100.7", 4000)).build())
        .toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void gatewaysConfiguredForRedisShareTheLimitAndReleaseEverythingOnClose() {
    TestClock clock = new TestClock();
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      ApiSecurityConfig config = ConfigLoader.parseYaml("""
          rate-limits:
            per-ip: { key: ip, headers: both, limits: [ { capacity: 3, refill: 3/1h } ] }
          store: { type: redis, uri: "%s", timeout: 1s, heartbeat: 100ms }
          routes:
            - { match: GET /items, auth: none, rate-limit: per-ip }
          """.formatted(redis.uri()), null);
      try (ApiSecurity one = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
          ApiSecurity two = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build()) {
        RedisStores.await("both gateways to announce themselves", Duration.ofSeconds(10),
            () -> redis.cli("zcard", "apisec:nodes").equals("2"));
        // a 503 while a store finishes connecting takes no token
        RedisStores.await("gateway one to count in Redis", Duration.ofSeconds(10), () -> get(one).status() == 200);
        Decision[] last = new Decision[1];
        RedisStores.await("gateway two to count in Redis", Duration.ofSeconds(10),
            () -> (last[0] = get(two)).status() == 200);
        Decision second = last[0];
        assertThat(second.responseHeaders().firstOrNull("RateLimit")).startsWith("\"per-ip\";r=1;");
        assertThat(second.responseHeaders().firstOrNull("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(get(one).status()).isEqualTo(200);
        Decision refused = get(two);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.responseHeaders().firstOrNull("Retry-After")).isNotNull();
      }
      RedisStores.await("client threads to end", Duration.ofSeconds(10), () -> RedisStores.clientThreads() == 0);
      RedisStores.await("only redis-cli connected", Duration.ofSeconds(10),
          () -> redis.cli("client", "list").lines().filter(l -> l.startsWith("id=")).count() == 1);
    }
  }
}
