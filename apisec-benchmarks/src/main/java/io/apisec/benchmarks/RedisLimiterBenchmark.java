package io.apisec.benchmarks;

import io.apisec.ratelimit.Admission;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.redis.RedisBucketStore;
import io.apisec.redis.RedisServerProcess;
import io.apisec.redis.RedisSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Distributed rate-limit decisions on a loopback Redis (issue 6, target T4): {@code
 * RedisBucketStore.tryConsume} over 10,000 subjects or one hot key, one thread and four, exact
 * ({@code none}: one Lua token-bucket script per decision), and bucket4j's compare-and-swap with
 * batching (exact) and delaying (may overshoot). The suite starts
 * its own {@code redis-server} on a free loopback port and stops it by pid; it counts the Redis
 * commands per decision, by command, from {@code INFO commandstats} before and after each
 * iteration and prints them (and appends them to {@code redis-roundtrips.txt} in the working
 * directory). Redis counts the commands a Lua script runs as well as the script itself, so a
 * bucket4j compare-and-swap ({@code GET}, then an {@code EVAL} running {@code GET} and {@code
 * PSETEX}) shows as get=2, eval=1, psetex=1 for its two round trips, and the exact mode's script as
 * evalsha=1, hmget=1, hset=1, pexpire=1 for its one: round trips = client-sent commands = {@code
 * evalsha} + {@code eval} + the {@code get}s not run by a script ({@code get} − {@code eval} when
 * every EVAL is bucket4j's, none when no GET was run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RedisLimiterBenchmark {
  private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)");

  @Param({"none", "batching", "delaying"})
  String optimization;

  /** How many subjects the decisions spread over: 10,000, or one hot key (where batching and delaying help). */
  @Param({"10000", "1"})
  int keys;

  /**
   * The delaying optimisation's unsynchronised tokens per node and key ({@code delay-tokens}; the
   * other optimisations ignore it). 10 is the store's default; a node may overshoot by this much.
   */
  @Param({"10"})
  long delayTokens;

  private RedisServerProcess redis;
  private RedisBucketStore store;
  private final RateLimitPolicy policy = RateLimitPolicy.builder("per-subject").key("jwt.sub")
      .limit(1_000_000_000L, Duration.ofSeconds(1)).build();
  private String[] subjects;
  private final LongAdder decisions = new LongAdder();
  private Map<String, Long> callsBefore;
  private String label;

  @Setup(Level.Trial)
  public void setUp() {
    redis = RedisServerProcess.start();
    RedisSettings settings = RedisSettings.standalone(redis.uri())
        .optimization(RedisSettings.Optimization.valueOf(optimization.toUpperCase(Locale.ROOT)))
        .delay(delayTokens, Duration.ofMillis(100))
        .build();
    store = RedisBucketStore.create(settings, Clock.systemUTC());
    subjects = new String[keys];
    for (int i = 0; i < keys; i++) {
      subjects[i] = "user-" + i;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    // counted by Redis, not by a fallback: the store has connected and left its initial degraded state
    while (store.degraded() || !store.tryConsume(subjects[0], policy, 1).toCompletableFuture().join().enforced()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Redis store did not connect to " + redis.uri());
      }
      Thread.onSpinWait();
    }
  }

  @Setup(Level.Iteration)
  public void countBefore() {
    decisions.reset();
    callsBefore = redisCalls();
  }

  @TearDown(Level.Iteration)
  public void countAfter(org.openjdk.jmh.infra.BenchmarkParams params) {
    Map<String, Long> after = redisCalls();
    long made = Math.max(1, decisions.sum());
    StringBuilder perCommand = new StringBuilder();
    long total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long calls = e.getValue() - callsBefore.getOrDefault(e.getKey(), 0L);
      if (calls > 0) {
        total += calls;
        perCommand.append(String.format(Locale.ROOT, " %s=%.3f", e.getKey(), (double) calls / made));
      }
    }
    long evals = after.getOrDefault("eval", 0L) - callsBefore.getOrDefault("eval", 0L);
    long evalshas = after.getOrDefault("evalsha", 0L) - callsBefore.getOrDefault("evalsha", 0L);
    long gets = after.getOrDefault("get", 0L) - callsBefore.getOrDefault("get", 0L);
    label = String.format(Locale.ROOT,
        "optimization=%s keys=%d threads=%d decisions=%d: Redis commands per decision %.3f (%s); round trips per decision %.3f",
        optimization, keys, params.getThreads(), made, (double) total / made, perCommand.toString().trim(),
        // client-sent = the scripts + the GETs not inside a script (each bucket4j EVAL runs one GET)
        (double) (evalshas + evals + gets - Math.min(gets, evals)) / made);
    System.out.println("\n  " + label);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      Files.writeString(Path.of("redis-roundtrips.txt"), label + System.lineSeparator(),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      store.close();
      redis.close();
    }
  }

  /** Calls by command, except our own INFO, including the commands Lua scripts ran. */
  private Map<String, Long> redisCalls() {
    Matcher m = CALLS.matcher(redis.cli("INFO", "commandstats"));
    Map<String, Long> calls = new TreeMap<>();
    while (m.find()) {
      if (!m.group(1).equals("info")) {
        calls.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return calls;
  }

  private Admission decide() {
    Admission admission = store.tryConsume(subjects[keys == 1 ? 0 : ThreadLocalRandom.current().nextInt(keys)], policy, 1)
        .toCompletableFuture().join();
    decisions.increment();
    return admission;
  }

  @Benchmark
  @Threads(1)
  public Admission oneThread() {
    return decide();
  }

  @Benchmark
  @Threads(4)
  public Admission fourThreads() {
    return decide();
  }
}
