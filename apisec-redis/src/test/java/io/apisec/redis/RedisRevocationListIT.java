package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ratelimit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisRevocationListIT {
  private final TestClock clock = new TestClock(Instant.now());
  private RedisServerProcess redis;
  private RedisRevocationList nodeA;
  private RedisRevocationList nodeB;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
    nodeA = list();
    nodeB = list();
  }

  private RedisRevocationList list() {
    RedisRevocationList list = RedisRevocationList.create(
        RedisSettings.standalone(redis.uri()).timeout(Duration.ofMillis(300)).build(), clock);
    RedisStores.await("the list to connect", Duration.ofSeconds(10), () -> {
      try {
        list.isRevoked("probe-" + System.nanoTime()).toCompletableFuture().get(1, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    });
    return list;
  }

  @AfterEach
  void stop() {
    nodeA.close();
    nodeB.close();
    redis.close();
    RedisStores.await("client threads to end", Duration.ofSeconds(10), () -> RedisStores.clientThreads() == 0);
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aTokenRevokedOnOneNodeIsRefusedOnAnother() {
    join(nodeA.revoke("jti-1", clock.instant().plus(Duration.ofHours(1))));
    assertThat(join(nodeB.isRevoked("jti-1"))).isTrue();
    assertThat(join(nodeB.isRevoked("jti-2"))).isFalse();
  }

  @Test
  void theEntryExpiresWithTheTokenAndHidesTheId() {
    join(nodeA.revoke("jti-secretish", clock.instant().plus(Duration.ofSeconds(60))));
    String key = redis.cli("--scan", "--pattern", "apisec:revoked:*");
    assertThat(key).doesNotContain("jti-secretish");
    long ttl = Long.parseLong(redis.cli("pttl", key));
    assertThat(ttl).isBetween(1L, 60_000L);
  }

  @Test
  void anAlreadyExpiredTokenNeedsNoEntry() {
    join(nodeA.revoke("old", clock.instant().minusSeconds(1)));
    assertThat(redis.cli("--scan", "--pattern", "apisec:revoked:*")).isEmpty();
  }

  @Test
  void aNotRevokedAnswerIsCachedBrieflySoARevocationReachesOtherNodesWithinTheCacheTtl() {
    assertThat(join(nodeB.isRevoked("jti-3"))).isFalse();
    join(nodeA.revoke("jti-3", clock.instant().plus(Duration.ofHours(1))));
    assertThat(join(nodeA.isRevoked("jti-3"))).isTrue();
    assertThat(join(nodeB.isRevoked("jti-3"))).isFalse();
    clock.advance(Duration.ofMillis(1001));
    assertThat(join(nodeB.isRevoked("jti-3"))).isTrue();
  }

  @Test
  void cachedRevocationsHoldWhileRedisIsDownAndUncachedQuestionsFailWithinTheTimeout() {
    join(nodeA.revoke("jti-4", clock.instant().plus(Duration.ofHours(1))));
    redis.kill();
    assertThat(join(nodeA.isRevoked("jti-4"))).isTrue();
    long start = System.nanoTime();
    assertThatThrownBy(() -> join(nodeA.isRevoked("jti-5"))).hasCauseInstanceOf(Exception.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }
}
