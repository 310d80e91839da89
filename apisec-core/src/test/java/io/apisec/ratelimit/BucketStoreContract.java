package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BucketStore} must do; an implementation proves itself by subclassing this in
 * a few lines. Time comes from a {@link TestClock} the store must read for refills.
 */
public abstract class BucketStoreContract {
  protected final TestClock clock = new TestClock();
  protected BucketStore store;
  /** A fresh prefix per test, so that stores sharing a backend never see each other's buckets. */
  protected final String prefix = UUID.randomUUID().toString();

  /** A store reading {@code clock}. */
  protected abstract BucketStore createStore(TestClock clock);

  @BeforeEach
  void openStore() {
    store = createStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static RateLimitPolicy policy(String name, long capacity, Duration period) {
    return RateLimitPolicy.builder(name).key("ip").limit(capacity, period).build();
  }

  protected Admission consume(String key, RateLimitPolicy policy) {
    return store.tryConsume(prefix + key, policy, 1).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void firstRequestFindsAFullBucket() {
    Admission first = consume("a", policy("p", 10, Duration.ofSeconds(10)));
    assertThat(first.admitted()).isTrue();
    assertThat(first.enforced()).isTrue();
    assertThat(first.remaining()).isEqualTo(9);
    assertThat(first.nanosToReset()).isEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void lastTokenIsAdmittedAndTheNextRequestRefusedWithTimeToRetry() {
    RateLimitPolicy policy = policy("p", 3, Duration.ofSeconds(3));
    assertThat(consume("a", policy).remaining()).isEqualTo(2);
    assertThat(consume("a", policy).remaining()).isEqualTo(1);
    Admission last = consume("a", policy);
    assertThat(last.admitted()).isTrue();
    assertThat(last.remaining()).isZero();
    Admission refused = consume("a", policy);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.nanosToRetry()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(refused.nanosToReset()).isEqualTo(Duration.ofSeconds(3).toNanos());
  }

  @Test
  void bucketRefillsAsTheClockAdvances() {
    RateLimitPolicy policy = policy("p", 2, Duration.ofSeconds(2));
    consume("a", policy);
    consume("a", policy);
    assertThat(consume("a", policy).admitted()).isFalse();
    clock.advance(Duration.ofMillis(999));
    assertThat(consume("a", policy).admitted()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(consume("a", policy).admitted()).isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(consume("a", policy).remaining()).isEqualTo(1);
  }

  @Test
  void keysAndPoliciesHaveSeparateBuckets() {
    RateLimitPolicy p = policy("p", 1, Duration.ofMinutes(1));
    RateLimitPolicy q = policy("q", 1, Duration.ofMinutes(1));
    assertThat(consume("a", p).admitted()).isTrue();
    assertThat(consume("a", p).admitted()).isFalse();
    assertThat(consume("b", p).admitted()).isTrue();
    assertThat(consume("a", q).admitted()).isTrue();
  }

  @Test
  void everyBandwidthMustAdmit() {
    RateLimitPolicy policy = RateLimitPolicy.builder("burst-and-hour").key("ip")
        .limit(3, Duration.ofSeconds(1)).limit(5, Duration.ofHours(1)).build();
    for (int i = 0; i < 3; i++) {
      assertThat(consume("a", policy).admitted()).isTrue();
    }
    assertThat(consume("a", policy).admitted()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(consume("a", policy).admitted()).isTrue();
    Admission last = consume("a", policy);
    assertThat(last.admitted()).isTrue();
    assertThat(last.remaining()).isZero();
    clock.advance(Duration.ofSeconds(1));
    Admission hourly = consume("a", policy);
    assertThat(hourly.admitted()).isFalse();
    assertThat(hourly.nanosToRetry()).isGreaterThan(Duration.ofMinutes(5).toNanos());
  }

  @Test
  void intervalRefillAddsTokensOnlyAtTheEndOfThePeriod() {
    RateLimitPolicy policy = RateLimitPolicy.builder("interval").key("ip")
        .limit(RateLimitPolicy.Bandwidth.parse(2, "2/1m", true)).build();
    consume("a", policy);
    consume("a", policy);
    clock.advance(Duration.ofSeconds(59));
    assertThat(consume("a", policy).admitted()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(consume("a", policy).admitted()).isTrue();
    assertThat(consume("a", policy).admitted()).isTrue();
  }

  @Test
  void concurrentCallersNeverTakeMoreThanTheCapacity() throws Exception {
    RateLimitPolicy policy = policy("hot", 50, Duration.ofHours(1));
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        all.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 40; i++) {
            if (consume("shared", policy).admitted()) {
              admitted.incrementAndGet();
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted.get()).isEqualTo(50);
  }
}
