package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.BucketStoreContract;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.TestClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bucket store contract against a three-master Redis Cluster. */
class RedisClusterBucketStoreIT extends BucketStoreContract {
  private static RedisClusterProcess cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisClusterProcess.start(3);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Override
  protected BucketStore createStore(TestClock clock) {
    return RedisStores.connected(RedisBucketStore.create(
        RedisSettings.cluster(cluster.uris()).timeout(Duration.ofSeconds(2)).heartbeat(Duration.ofMillis(100)).build(),
        clock));
  }

  @Test
  void bucketsOfManyKeysSpreadOverTheMastersEachInTheSlotOfItsHashTag() {
    RateLimitPolicy policy = RateLimitPolicy.builder("per-subject-route").key("jwt.sub", "route")
        .limit(5, Duration.ofMinutes(1)).build();
    for (int i = 0; i < 30; i++) {
      assertThat(consume("5:user" + i + "6:orders", policy).admitted()).isTrue();
    }
    Set<Integer> mastersHoldingBuckets = new HashSet<>();
    int total = 0;
    for (int n = 0; n < cluster.nodes().size(); n++) {
      RedisServerProcess node = cluster.nodes().get(n);
      String keys = node.cli("--scan", "--pattern", "apisec:rl:{per-subject-route:*");
      for (String key : keys.lines().filter(l -> !l.isBlank()).toList()) {
        total++;
        mastersHoldingBuckets.add(n);
        String tag = key.substring(key.indexOf('{') + 1, key.indexOf('}'));
        assertThat(node.cli("cluster", "keyslot", key)).isEqualTo(node.cli("cluster", "keyslot", tag));
      }
    }
    assertThat(total).isEqualTo(30);
    assertThat(mastersHoldingBuckets).hasSizeGreaterThan(1);
  }

  @Test
  void mastersThatLostTheScriptRunItAgainOnTheNextDecision() {
    RateLimitPolicy policy = RateLimitPolicy.builder("flushed").key("jwt.sub").limit(3, Duration.ofMinutes(1)).build();
    for (int i = 0; i < 12; i++) {
      assertThat(consume("user" + i, policy).remaining()).isEqualTo(2);
    }
    // as after a failover to a replica that never loaded it
    for (RedisServerProcess node : cluster.nodes()) {
      assertThat(node.cli("script", "flush")).isEqualTo("OK");
    }
    for (int i = 0; i < 12; i++) {
      assertThat(consume("user" + i, policy).remaining()).isEqualTo(1);
    }
    for (int i = 0; i < 12; i++) {
      assertThat(consume("user" + i, policy).remaining()).isZero();
      assertThat(consume("user" + i, policy).admitted()).isFalse();
    }
    int keys = 0;
    for (RedisServerProcess node : cluster.nodes()) {
      keys += (int) node.cli("--scan", "--pattern", "apisec:rl:{flushed:*").lines().filter(l -> l.endsWith("}:tb")).count();
    }
    assertThat(keys).isEqualTo(12);
  }
}
