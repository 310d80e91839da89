package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.Health;
import io.apisec.ratelimit.Admission;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.TestClock;
import io.apisec.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection settings against real servers: an ACL user with a password, and TLS. */
class RedisConnectionSettingsIT {
  private final TestClock clock = new TestClock();
  private final RateLimitPolicy policy = RateLimitPolicy.builder("p").key("ip").limit(5, Duration.ofMinutes(1)).build();
  private RedisServerProcess redis;
  private RedisBucketStore store;

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** The key as PKCS#8 PEM, which OpenSSL 3 reads whatever the algorithm. */
  private static Path pkcs8(Path file, TestPki.Issued issued) {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(issued.key().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    try {
      return Files.writeString(file, pem);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Admission consume() {
    return store.tryConsume("k", policy, 1).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void anAclUserWithItsPasswordConnectsAndAWrongPasswordNeverDoes() {
    redis = RedisServerProcess.start("--user", "default", "off", "--user", "gw", "on", ">s3cret-pass", "~*", "&*", "+@all");
    store = RedisStores.connected(RedisBucketStore.create(
        RedisSettings.standalone("redis://gw:s3cret-pass@127.0.0.1:" + redis.port()).timeout(Duration.ofSeconds(2))
            .heartbeat(Duration.ofMillis(100)).build(), clock));
    assertThat(consume().remaining()).isEqualTo(4);
    store.close();

    store = RedisBucketStore.create(RedisSettings.standalone("redis://gw:wrong-pass@127.0.0.1:" + redis.port())
        .timeout(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(100)).build(), clock);
    RedisStores.await("a failed attempt", Duration.ofSeconds(10),
        () -> !store.health().orElseThrow().lastError().equals("not connected yet"));
    Health.Component health = store.health().orElseThrow();
    assertThat(health.status()).isEqualTo(Health.Status.DOWN);
    assertThat(health.lastError()).doesNotContain("wrong-pass");
    assertThat(store.toString()).doesNotContain("wrong-pass");
  }

  @Test
  void aTlsServerIsReachedThroughRedissWithTheConfiguredAuthority(@TempDir Path dir) {
    TestPki.Issued ca = TestPki.rootCa("Redis Test CA");
    TestPki.Issued server = TestPki.localhostServer(ca);
    Path cert = TestPki.writePem(dir.resolve("server.pem"), server.certificate());
    Path key = pkcs8(dir.resolve("server-key.pem"), server);
    Path caFile = TestPki.writePem(dir.resolve("ca.pem"), ca.certificate());
    redis = RedisServerProcess.startTls(cert, key, caFile);
    store = RedisStores.connected(RedisBucketStore.create(
        RedisSettings.standalone("rediss://127.0.0.1:" + redis.port()).tlsCaFile(caFile.toString())
            .timeout(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(100)).build(), clock));
    assertThat(consume().admitted()).isTrue();
    assertThat(Files.exists(caFile)).isTrue();
  }

  @Test
  void aTlsServerSignedByAnUnknownAuthorityIsRefused(@TempDir Path dir) {
    TestPki.Issued ca = TestPki.rootCa("Redis Test CA");
    TestPki.Issued other = TestPki.rootCa("Someone Else");
    TestPki.Issued server = TestPki.localhostServer(ca);
    Path cert = TestPki.writePem(dir.resolve("server.pem"), server.certificate());
    Path key = pkcs8(dir.resolve("server-key.pem"), server);
    Path caFile = TestPki.writePem(dir.resolve("ca.pem"), ca.certificate());
    Path otherFile = TestPki.writePem(dir.resolve("other.pem"), other.certificate());
    redis = RedisServerProcess.startTls(cert, key, caFile);
    store = RedisBucketStore.create(RedisSettings.standalone("rediss://127.0.0.1:" + redis.port())
        .tlsCaFile(otherFile.toString()).timeout(Duration.ofSeconds(1)).heartbeat(Duration.ofMillis(100)).build(), clock);
    RedisStores.await("a failed attempt", Duration.ofSeconds(10),
        () -> !store.health().orElseThrow().lastError().equals("not connected yet"));
    assertThat(store.degraded()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(this::consume).hasRootCauseInstanceOf(IllegalStateException.class);
  }
}
