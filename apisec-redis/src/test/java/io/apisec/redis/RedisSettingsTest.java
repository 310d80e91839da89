package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.apisec.ratelimit.RateLimiting;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {
  @Test
  void everySettingIsReadFromTheStoreSection() {
    RedisSettings s = RedisSettings.fromMap(Map.of("uri", "rediss://gw:s3cret@redis.internal:6380", "timeout", "150ms",
        "on-failure", "local", "optimization", "delaying", "delay-tokens", 5, "delay-timeout", "50ms",
        "heartbeat", "2s", "key-prefix", "gw1", "local-max-entries", 1000));
    assertThat(s.isCluster()).isFalse();
    assertThat(s.uris()).containsExactly("rediss://gw:s3cret@redis.internal:6380");
    assertThat(s.timeout()).isEqualTo(Duration.ofMillis(150));
    assertThat(s.onFailure()).isEqualTo(RedisSettings.OnFailure.LOCAL);
    assertThat(s.optimization()).isEqualTo(RedisSettings.Optimization.DELAYING);
    assertThat(s.delayTokens()).isEqualTo(5);
    assertThat(s.delayTimeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.keyPrefix()).isEqualTo("gw1");
    assertThat(s.localMaxEntries()).isEqualTo(1000);
  }

  @Test
  void defaultsAreFailClosedExactAnd100ms() {
    RedisSettings s = RedisSettings.fromMap(Map.of("cluster", List.of("redis://a:7000", "redis://b:7000")));
    assertThat(s.isCluster()).isTrue();
    assertThat(s.uris()).hasSize(2);
    assertThat(s.timeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.onFailure()).isEqualTo(RedisSettings.OnFailure.CLOSED);
    assertThat(s.optimization()).isEqualTo(RedisSettings.Optimization.NONE);
  }

  @Test
  void thePasswordNeverAppearsInToStringOrErrors() {
    RedisSettings s = RedisSettings.standalone("redis://user:s3cret@host:6379").build();
    assertThat(s.toString()).doesNotContain("s3cret").contains("host:6379");
    assertThatThrownBy(() -> RedisSettings.standalone("http://user:s3cret@host").build())
        .hasMessageNotContaining("s3cret").hasMessageContaining("store.uri");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> RedisSettings.fromMap(Map.of("uri", "redis://h", "timeot", "1s")))
        .hasMessageContaining("store.timeot");
    assertThatThrownBy(() -> RedisSettings.fromMap(Map.of("uri", "redis://h", "on-failure", "maybe")))
        .hasMessageContaining("store.on-failure");
    assertThatThrownBy(() -> RedisSettings.fromMap(Map.of("uri", "redis://h", "timeout", "fast")))
        .hasMessageContaining("store.timeout");
    assertThatThrownBy(() -> RedisSettings.fromMap(Map.of()))
        .hasMessageContaining("uri").hasMessageContaining("cluster");
  }

  @Test
  void theRedisStoreIsFoundThroughServiceLoaderAndChecksTheFileWithItsLine() {
    assertThat(RateLimiting.provider("redis")).get().isInstanceOf(RedisBucketStoreProvider.class);
    ApiSecurityConfig config = ConfigLoader.parseYaml("""
        rate-limits:
          per-ip: { key: ip, limits: [ { capacity: 20, refill: 20/1s } ] }
        store: { type: redis, uri: "redis://127.0.0.1:6379", timeout: 100ms, on-failure: local, optimization: batching }
        """, null);
    assertThat(config.rateLimitStore().type()).isEqualTo("redis");
    assertThat(config.rateLimitStore().settings()).containsEntry("on-failure", "local");
    assertThatThrownBy(() -> ConfigLoader.parseYaml("""
        store:
          type: redis
          uri: redis://127.0.0.1:6379
          on-failure: sometimes
        """, null)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.on-failure").hasMessageContaining("line 4");
    assertThatThrownBy(() -> ConfigLoader.parseYaml("""
        store:
          type: redis
          uri: redis://127.0.0.1:6379
          on-failure: open
        """, null)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.on-failure").hasMessageContaining("line 4").hasMessageContaining("rate-limit-fail-open");
    assertThat(ConfigLoader.parseYaml("""
        store: { type: redis, uri: "redis://127.0.0.1:6379", on-failure: open }
        allow-risky: [ rate-limit-fail-open ]
        """, null).rateLimitStore().settings()).containsEntry("on-failure", "open");
  }
}
