package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {
  private static ApiSecurityConfig parse(String yaml) {
    return ConfigLoader.parseYaml(yaml, null);
  }

  @Test
  void policiesAndTheMemoryStoreAreRead() {
    ApiSecurityConfig config = parse("""
        rate-limits:
          per-ip:
            key: ip
            limits: [ { capacity: 20, refill: 20/1s }, { capacity: 1000, refill: 1000/1h, interval: true } ]
            headers: both
          per-subject-route:
            key: [ jwt.sub, route ]
            limits: [ { capacity: 100, refill: 10/1m } ]
            on-missing-key: shared
        store: { type: memory, max-entries: 5000 }
        routes:
          - match: GET /items
            auth: none
            rate-limit: [ per-ip, per-subject-route ]
        """);
    RateLimitPolicy perIp = config.rateLimits().get("per-ip");
    assertThat(perIp.key()).containsExactly("ip");
    assertThat(perIp.limits()).containsExactly(
        new RateLimitPolicy.Bandwidth(20, 20, Duration.ofSeconds(1), false),
        new RateLimitPolicy.Bandwidth(1000, 1000, Duration.ofHours(1), true));
    assertThat(perIp.headers()).isEqualTo(RateLimitPolicy.HeaderStyle.BOTH);
    assertThat(perIp.onMissingKey()).isEqualTo(RateLimitPolicy.OnMissingKey.DENY);
    RateLimitPolicy composite = config.rateLimits().get("per-subject-route");
    assertThat(composite.key()).containsExactly("jwt.sub", "route");
    assertThat(composite.limits().get(0).refillTokens()).isEqualTo(10);
    assertThat(composite.onMissingKey()).isEqualTo(RateLimitPolicy.OnMissingKey.SHARED);
    assertThat(config.rateLimitStore().maxEntries()).isEqualTo(5000);
    assertThat(config.routes().get(0).rateLimits()).isEqualTo(List.of("per-ip", "per-subject-route"));
  }

  @Test
  void theBuilderMakesTheSameModel() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .rateLimit(RateLimitPolicy.builder("per-ip").key("ip")
            .limit(RateLimitPolicy.Bandwidth.parse(20, "20/1s", false))
            .limit(RateLimitPolicy.Bandwidth.parse(1000, "1000/1h", true))
            .headers(RateLimitPolicy.HeaderStyle.BOTH).build())
        .rateLimitStore(new StoreSettings("memory", java.util.Map.of("max-entries", 5000)))
        .build();
    assertThat(config.rateLimits().get("per-ip")).isEqualTo(parse("""
        rate-limits:
          per-ip: { key: ip, headers: both, limits: [ { capacity: 20, refill: 20/1s }, { capacity: 1000, refill: 1000/1h, interval: true } ] }
        """).rateLimits().get("per-ip"));
  }

  @Test
  void badValuesNameTheirKeyAndLine() {
    assertThatThrownBy(() -> parse("""
        rate-limits:
          per-ip:
            key: ip
            limits: [ { capacity: 20, refill: 20 per second } ]
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("rate-limits.per-ip.limits[0].refill").hasMessageContaining("line 4");
    assertThatThrownBy(() -> parse("""
        rate-limits:
          per-ip:
            key: [ ip, jwt.email ]
            limits: [ { capacity: 20 } ]
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("rate-limits.per-ip.key").hasMessageContaining("jwt.email");
    assertThatThrownBy(() -> parse("""
        rate-limits:
          per-ip:
            key: ip
            limits: [ { capacity: 20 } ]
            burst: 3
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("burst");
    assertThatThrownBy(() -> parse("""
        rate-limits:
          per-ip: { key: ip, limits: [ { capacity: 20 } ], on-missing-key: allow }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("on-missing-key");
    assertThatThrownBy(() -> parse("""
        rate-limits:
          per-ip: { key: ip, limits: [ { capacity: 0 } ] }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("capacity");
  }

  @Test
  void aRouteNamingAnUnknownPolicyIsRefusedWithItsLine() {
    assertThatThrownBy(() -> parse("""
        routes:
          - match: GET /items
            auth: none
            rate-limit: per-ip
        """)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].rate-limit").hasMessageContaining("per-ip").hasMessageContaining("line 4");
  }

  @Test
  void failingOpenIsRiskyAndMustBeAcceptedExplicitly() {
    StoreSettings open = new StoreSettings("redis", java.util.Map.of("uri", "redis://127.0.0.1:6379", "on-failure", "open"));
    assertThatThrownBy(() -> ApiSecurityConfig.builder().rateLimitStore(open).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("store.on-failure")
        .hasMessageContaining("allow-risky: [rate-limit-fail-open]");
    assertThat(ApiSecurityConfig.builder().rateLimitStore(open).allowRisky("rate-limit-fail-open").build()
        .rateLimitStore().settings()).containsEntry("on-failure", "open");
  }

  @Test
  void aStoreTypeWithoutProviderOrAnUnknownMemorySettingIsRefused() {
    assertThatThrownBy(() -> parse("""
        store: { type: cassandra }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("store.type").hasMessageContaining("cassandra");
    assertThatThrownBy(() -> parse("""
        store: { type: memory, size: 3 }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("store.size");
  }
}
