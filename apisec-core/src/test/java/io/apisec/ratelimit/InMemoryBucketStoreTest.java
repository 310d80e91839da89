package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryBucketStoreTest extends BucketStoreContract {
  @Override
  protected BucketStore createStore(TestClock clock) {
    return BucketStore.inMemory(clock, 1_000);
  }

  @Test
  void anIdleBucketDroppedAfterItsFullRefillTimeComesBackFull() {
    RateLimitPolicy policy = policy("p", 2, Duration.ofSeconds(2));
    consume("a", policy);
    consume("a", policy);
    clock.advance(Duration.ofSeconds(3));
    assertThat(consume("a", policy).remaining()).isEqualTo(1);
  }

  @Test
  void theNumberOfBucketsIsBounded() {
    BucketStore small = BucketStore.inMemory(clock, 10);
    RateLimitPolicy policy = policy("p", 1, Duration.ofHours(1));
    for (int i = 0; i < 10_000; i++) {
      small.tryConsume("k" + i, policy, 1);
    }
    InMemoryBucketStore inMemory = (InMemoryBucketStore) small;
    assertThat(inMemory.size()).isLessThanOrEqualTo(10);
  }
}
