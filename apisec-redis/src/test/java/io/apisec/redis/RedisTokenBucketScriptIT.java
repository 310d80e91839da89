package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ratelimit.Admission;
import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.TestClock;
import java.time.Duration;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The exact mode ({@code optimization: none}): one Lua script per decision against a real
 * redis-server, checked against bucket4j's own buckets for the same policy and clock.
 */
class RedisTokenBucketScriptIT {
  private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+),.*?failed_calls=(\\d+)");

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private final TestClock clock = new TestClock();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private RedisBucketStore store;
  private String prefix;

  @BeforeEach
  void openStore() {
    prefix = "k" + System.nanoTime() + "-";
    store = store();
  }

  @AfterEach
  void closeStores() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** A store (a node) on the test clock; a long heartbeat keeps its own EVALs out of the counts. */
  private RedisBucketStore store() {
    RedisBucketStore s = RedisBucketStore.create(RedisSettings.standalone(redis.uri()).timeout(Duration.ofSeconds(2))
        .heartbeat(Duration.ofMinutes(1)).build(), clock);
    closing.add(s);
    return RedisStores.connected(s);
  }

  private Admission take(RateLimitPolicy policy, long tokens) {
    return take(store, "a", policy, tokens);
  }

  private Admission take(BucketStore on, String key, RateLimitPolicy policy, long tokens) {
    return on.tryConsume(prefix + key, policy, tokens).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  private static RateLimitPolicy policy(String name, RateLimitPolicy.Bandwidth... bandwidths) {
    RateLimitPolicy.Builder b = RateLimitPolicy.builder(name).key("ip");
    for (RateLimitPolicy.Bandwidth bandwidth : bandwidths) {
      b.limit(bandwidth);
    }
    return b.build();
  }

  private static RateLimitPolicy.Bandwidth greedy(long capacity, long tokens, Duration period) {
    return new RateLimitPolicy.Bandwidth(capacity, tokens, period, false);
  }

  private static RateLimitPolicy.Bandwidth interval(long capacity, long tokens, Duration period) {
    return new RateLimitPolicy.Bandwidth(capacity, tokens, period, true);
  }

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  @Test
  void fourNodesHammeringOneKeyAdmitExactlyTheCapacityInOneScriptCallEach() throws Exception {
    List<RedisBucketStore> nodes = List.of(store, store(), store(), store());
    RateLimitPolicy policy = policy("hot", greedy(100, 100, Duration.ofDays(1)));
    Map<String, long[]> before = calls();
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (RedisBucketStore node : nodes) {
        for (int t = 0; t < 2; t++) {
          all.add(CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 50; i++) {
              if (take(node, "shared", policy, 1).admitted()) {
                admitted.incrementAndGet();
              }
            }
          }, pool));
        }
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted.get()).isEqualTo(100);
    Map<String, Long> made = madeSince(before);
    assertThat(made).containsEntry("evalsha", 400L).doesNotContainKey("get");
    assertThat(scriptEvals(made)).isZero();
    // the script's bucket, and no state of bucket4j's beside it
    assertThat(redis.cli("--scan", "--pattern", "apisec:rl:{hot:*").lines().toList())
        .singleElement().asString().matches("apisec:rl:\\{hot:[A-Za-z0-9_-]{20}\\}:tb");
  }

  @Test
  void eachDecisionIsExactlyOneEvalshaAndNoGetForSpreadAndHotKeys() {
    RateLimitPolicy policy = policy("per-subject", greedy(5, 5, Duration.ofMinutes(1)));
    Map<String, long[]> before = calls();
    for (int i = 0; i < 200; i++) {
      take(store, "user-" + (i % 50), policy, 1);
    }
    for (int i = 0; i < 50; i++) {
      take(store, "hot", policy, 1);
    }
    Map<String, Long> made = madeSince(before);
    // the script's own HMGET, HSET and PEXPIRE run inside Redis: no round trips of their own
    assertThat(made).containsEntry("evalsha", 250L).doesNotContainKeys("get", "set", "psetex");
    assertThat(scriptEvals(made)).isZero();
    long clientSent = made.get("evalsha") + scriptEvals(made) + made.getOrDefault("get", 0L);
    assertThat((double) clientSent / 250).isEqualTo(1.0);
  }

  @Test
  void theFirstDecisionFindsAFullBucketAndReportsBucket4jFigures() {
    RateLimitPolicy policy = policy("p", greedy(10, 10, Duration.ofSeconds(10)));
    Admission first = take(policy, 1);
    assertThat(first).isEqualTo(Admission.admitted(9, ms(1000)));
    Admission three = take(policy, 3);
    assertThat(three).isEqualTo(Admission.admitted(6, ms(4000)));
  }

  @Test
  void greedyRefillCarriesTheFractionOfATokenAcrossDecisions() {
    // 3 tokens a second: one every 333.33 ms, which is no whole number of microseconds
    RateLimitPolicy policy = policy("thirds", greedy(3, 3, Duration.ofSeconds(1)));
    take(policy, 3);
    Admission empty = take(policy, 1);
    assertThat(empty).isEqualTo(Admission.refused(0, 333_333_333, ms(1000)));
    clock.advance(Duration.ofMillis(100));
    assertThat(take(policy, 1)).isEqualTo(Admission.refused(0, 233_333_333, 900_000_000));
    clock.advance(Duration.ofMillis(233));
    assertThat(take(policy, 1).admitted()).isFalse();
    clock.advance(Duration.ofNanos(334_000));
    Admission one = take(policy, 1);
    assertThat(one.admitted()).isTrue();
    assertThat(one.remaining()).isZero();
    // 333.334 ms gave 1.000002 tokens: the 0.000002 carried over shortens the next wait by 667 ns
    assertThat(take(policy, 1).nanosToRetry()).isEqualTo(333_332_666);
    clock.advance(Duration.ofSeconds(5));
    assertThat(take(policy, 1)).isEqualTo(Admission.admitted(2, 333_333_333));
  }

  @Test
  void intervalRefillAddsAllItsTokensAtEachPeriodBoundaryOnly() {
    RateLimitPolicy policy = policy("interval", interval(10, 5, Duration.ofMinutes(1)));
    assertThat(take(policy, 10)).isEqualTo(Admission.admitted(0, Duration.ofMinutes(2).toNanos()));
    clock.advance(Duration.ofMillis(59_999));
    // 5 tokens in 1 ms; 10 tokens one period later
    assertThat(take(policy, 1)).isEqualTo(Admission.refused(0, ms(1), ms(60_001)));
    assertThat(take(policy, 6)).isEqualTo(Admission.refused(0, ms(60_001), ms(60_001)));
    clock.advance(Duration.ofMillis(1));
    assertThat(take(policy, 1)).isEqualTo(Admission.admitted(4, ms(120_000)));
    clock.advance(Duration.ofSeconds(90));
    // one more boundary passed (at 2 min), the half period after it adds nothing yet
    assertThat(take(policy, 10).admitted()).isFalse();
    assertThat(take(policy, 9)).isEqualTo(Admission.admitted(0, ms(90_000)));
    clock.advance(Duration.ofHours(1));
    assertThat(take(policy, 10).admitted()).isTrue();
  }

  @Test
  void theStricterBandwidthWinsAndARefusalTakesFromNone() {
    RateLimitPolicy policy = policy("burst-and-hour", greedy(3, 3, Duration.ofSeconds(1)), greedy(5, 5, Duration.ofHours(1)));
    assertThat(take(policy, 2)).isEqualTo(Admission.admitted(1, ms(1440_000)));
    // 3 more: the hourly bandwidth has 3, the burst one only 1; neither gives any
    Admission refused = take(policy, 3);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.remaining()).isEqualTo(1);
    assertThat(refused.nanosToRetry()).isEqualTo(666_666_666);
    clock.advance(Duration.ofSeconds(1));
    // the burst bandwidth is full again and the hourly one still holds its 3 (plus 1/720 of a token)
    assertThat(take(policy, 3)).isEqualTo(Admission.admitted(0, Duration.ofHours(1).toNanos() - ms(1000)));
    Admission hourly = take(policy, 1);
    assertThat(hourly.admitted()).isFalse();
    assertThat(hourly.nanosToRetry()).isEqualTo(Duration.ofSeconds(719).toNanos());
  }

  @Test
  void aCostAboveTheCapacityIsRefusedWithoutTouchingTheBucket() {
    RateLimitPolicy policy = policy("small", greedy(4, 4, Duration.ofSeconds(4)));
    Admission tooMuch = take(policy, 5);
    assertThat(tooMuch.admitted()).isFalse();
    assertThat(tooMuch.remaining()).isEqualTo(4);
    assertThat(tooMuch.nanosToRetry()).isEqualTo(ms(1000));
    assertThat(take(policy, 4)).isEqualTo(Admission.admitted(0, ms(4000)));
  }

  @Test
  void decisionsMatchBucket4jsOwnBucketsStepByStep() {
    List<RateLimitPolicy> policies = List.of(
        policy("g7", greedy(7, 7, Duration.ofSeconds(1))),
        policy("g-slow", greedy(100, 1000, Duration.ofHours(1))),
        policy("i5", interval(10, 5, Duration.ofSeconds(3))),
        policy("mixed", greedy(4, 2, Duration.ofMillis(700)), interval(9, 3, Duration.ofSeconds(2)),
            greedy(20, 13, Duration.ofSeconds(11))));
    // bucket4j's buckets on the same clock and configuration as the compare-and-swap mode used
    TimeMeter time = RedisBucketStore.timeMeter(clock);
    // each created on first use, as Redis's buckets are (an interval's refills count from then)
    Map<RateLimitPolicy, Bucket> bucket4j = new HashMap<>();
    Random random = new Random(20261122);
    int refused = 0;
    for (int step = 0; step < 2000; step++) {
      RateLimitPolicy policy = policies.get(random.nextInt(policies.size()));
      long tokens = 1 + random.nextInt(3);
      ConsumptionProbe probe = bucket4j.computeIfAbsent(policy, p -> {
        LocalBucketBuilder builder = Bucket.builder().withCustomTimePrecision(time);
        for (Bandwidth b : RedisBucketStore.configuration(p).getBandwidths()) {
          builder.addLimit(b);
        }
        return builder.build();
      }).tryConsumeAndReturnRemaining(tokens);
      Admission expected = probe.isConsumed() ? Admission.admitted(probe.getRemainingTokens(), probe.getNanosToWaitForReset())
          : Admission.refused(probe.getRemainingTokens(), probe.getNanosToWaitForRefill(), probe.getNanosToWaitForReset());
      Admission actual = take(store, "x", policy, tokens);
      assertThat(actual).as("step %d, %s, %d tokens", step, policy.name(), tokens).isEqualTo(expected);
      refused += actual.admitted() ? 0 : 1;
      // whole microseconds, the script's unit of time; now and then long enough to refill completely
      clock.advance(Duration.ofNanos(1000L * random.nextInt(random.nextInt(20) == 0 ? 30_000_000 : 150_000)));
    }
    // both outcomes were compared many times (589 refusals with this seed, on every policy)
    assertThat(refused).isBetween(400, 1600);
  }

  @Test
  void theBucketExpiresTenSecondsAfterItWouldBeFullAgain() {
    RateLimitPolicy policy = policy("ttl", greedy(10, 10, Duration.ofSeconds(100)));
    take(policy, 4);
    String key = redis.cli("--scan", "--pattern", "apisec:rl:{ttl:*");
    assertThat(key).endsWith(":tb");
    long ttl = Long.parseLong(redis.cli("pttl", key));
    // full again in 40 s (of the store's clock), plus 10 s
    assertThat(ttl).isBetween(49_000L, 50_001L);
    assertThat(redis.cli("hgetall", key).lines().toList()).contains("c", "t1", "s1", "e1", "6");
  }

  @Test
  void afterScriptFlushTheNextDecisionReloadsTheScriptAndKeepsTheBucket() {
    RateLimitPolicy policy = policy("flushed", greedy(5, 5, Duration.ofMinutes(5)));
    assertThat(take(policy, 2).remaining()).isEqualTo(3);
    assertThat(redis.cli("script", "flush")).isEqualTo("OK");
    Map<String, long[]> before = calls();
    assertThat(take(policy, 1)).isEqualTo(Admission.admitted(2, Duration.ofMinutes(3).toNanos()));
    Map<String, long[]> after = calls();
    // NOSCRIPT, then EVAL (which caches it again), then EVALSHA alone
    assertThat(after.get("evalsha")[1] - before.get("evalsha")[1]).isEqualTo(1);
    assertThat(scriptEvals(madeSince(before))).isEqualTo(1);
    assertThat(take(policy, 1).remaining()).isEqualTo(1);
    Map<String, Long> then = madeSince(after);
    assertThat(then).containsEntry("evalsha", 1L);
    assertThat(scriptEvals(then)).isZero();
    assertThat(calls().get("evalsha")[1]).isEqualTo(after.get("evalsha")[1]);
  }

  @Test
  void aPolicyBeyondTheScriptsExactRangeStaysOnBucket4j() {
    // 2^40 tokens refilled 7 a day: capacity * period in microseconds is far beyond 2^53
    RateLimitPolicy huge = policy("huge", greedy(1L << 40, 7, Duration.ofDays(1)));
    assertThat(TokenBucketScript.limits(huge)).isNull();
    assertThat(take(huge, 1).remaining()).isEqualTo((1L << 40) - 1);
    assertThat(take(huge, 1).remaining()).isEqualTo((1L << 40) - 2);
    assertThat(redis.cli("--scan", "--pattern", "apisec:rl:{huge:*")).matches("apisec:rl:\\{huge:[A-Za-z0-9_-]{20}\\}");
  }

  @Test
  void aChangedPolicyStartsItsBucketsFullAgain() {
    take(policy("changing", greedy(3, 3, Duration.ofMinutes(1))), 3);
    assertThat(take(policy("changing", greedy(3, 3, Duration.ofMinutes(1))), 1).admitted()).isFalse();
    assertThat(take(policy("changing", greedy(4, 4, Duration.ofMinutes(1))), 1)).isEqualTo(Admission.admitted(3, ms(15_000)));
  }

  /** EVALs of the token-bucket script: all EVALs but the heartbeat's (each of which runs one ZADD). */
  private static long scriptEvals(Map<String, Long> made) {
    return made.getOrDefault("eval", 0L) - made.getOrDefault("zadd", 0L);
  }

  /** Per command: {calls, failed calls}, counting the commands scripts ran too. */
  private static Map<String, long[]> calls() {
    Matcher m = CALLS.matcher(redis.cli("info", "commandstats"));
    Map<String, long[]> calls = new TreeMap<>();
    while (m.find()) {
      calls.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
    }
    return calls;
  }

  /** Successful calls per command since {@code before}, without our own INFO; commands not run are absent. */
  private static Map<String, Long> madeSince(Map<String, long[]> before) {
    Map<String, Long> made = new TreeMap<>();
    calls().forEach((command, now) -> {
      long[] then = before.getOrDefault(command, new long[2]);
      long calls = (now[0] - now[1]) - (then[0] - then[1]);
      if (calls > 0 && !command.equals("info")) {
        made.put(command, calls);
      }
    });
    return made;
  }
}
