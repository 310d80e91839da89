package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.Health;
import io.apisec.RequestView;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Key-set snapshots shared through a real redis-server: a node that starts while the identity
 * provider is down restores the keys another node fetched, configured from YAML as users do.
 */
class RedisKeySetSnapshotsIT {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  private final TestIssuer idp = TestIssuer.start(clock);
  private final TestKey key = TestKey.ec("k1", "ES256");
  private final List<ApiSecurity> nodes = new ArrayList<>();
  private RedisServerProcess redis;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
  }

  @AfterEach
  void stop() {
    nodes.forEach(ApiSecurity::close);
    idp.close();
    redis.close();
  }

  private ApiSecurity node(String redisUri) {
    ApiSecurityConfig config = ConfigLoader.parseYaml("""
        jwt:
          key-snapshots: { type: redis, uri: "%s", timeout: 500ms }
          issuers:
            - issuer: "%s"
              jwks-uri: "%s"
              audiences: [ api ]
              algorithms: [ ES256 ]
              refresh: { min-interval: 30s, max-interval: 5m, max-staleness: 10m, timeout: 3s }
        routes:
          - match: GET /orders
            auth: jwt
        """.formatted(redisUri, idp.issuer(), idp.jwksUri()), Path.of("."));
    ApiSecurity node = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    nodes.add(node);
    return node;
  }

  private Decision decide(ApiSecurity node) {
    RequestView request = RequestView.builder()
        .method("GET")
        .target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + idp.token(key).expiresIn(Duration.ofHours(2)).sign()))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .build();
    try {
      return node.evaluate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the decision did not complete", e);
    }
  }

  private Health.Component keySource(ApiSecurity node) {
    return node.health().component("jwks:" + idp.issuer()).orElseThrow();
  }

  @Test
  void aNodeStartingDuringAnOutageRestoresTheKeysAnotherNodeSavedAndStopsPastTheMaximumStaleness() {
    idp.publish(key);
    ApiSecurity first = node(redis.uri());
    TestIssuer.await(() -> !redis.cli("--scan", "--pattern", "apisec:jwks:*").isBlank(), "the snapshot in Redis");
    assertThat(decide(first)).isInstanceOf(Decision.Allow.class);
    String redisKey = redis.cli("--scan", "--pattern", "apisec:jwks:*").strip();
    assertThat(redisKey).doesNotContain("127.0.0.1"); // the issuer is hashed into the key
    assertThat(redis.cli("get", redisKey)).contains("\"k1\"").contains(idp.issuer());

    idp.takeDown();
    clock.advance(Duration.ofMinutes(3));
    ApiSecurity cold = node(redis.uri());
    assertThat(decide(cold)).isInstanceOf(Decision.Allow.class);
    assertThat(keySource(cold).counters()).containsEntry("restored-from-snapshot", 1L);

    clock.advance(Duration.ofMinutes(13)); // 16 minutes after the fetch: past 5m lifetime + 10m staleness
    Decision late = decide(cold);
    assertThat(late).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) late).status()).isEqualTo(503);
  }

  @Test
  void redisDownLeavesVerificationToTheEndpointAndShowsInHealth() {
    idp.publish(key);
    String uri = redis.uri();
    redis.kill();
    ApiSecurity node = node(uri);
    TestIssuer.await(() -> node.health().ready(), "the keys to load from the endpoint");
    assertThat(decide(node)).isInstanceOf(Decision.Allow.class);
    TestIssuer.await(() -> keySource(node).counters().get("snapshot-failures") >= 1, "the snapshot failure to show");
    assertThat(keySource(node).lastError()).contains("snapshot");
  }

  @Test
  void rateLimitSettingsAreRefusedForSnapshotsNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parseYaml("""
        jwt:
          key-snapshots:
            type: redis
            uri: redis://127.0.0.1:6379
            on-failure: open
        """, Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.key-snapshots.on-failure")
        .hasMessageContaining("line 5");
  }
}
