package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Health;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.TestClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis killed, hung and restarted under load: each failure behaviour does what it says. */
class RedisFailureIT {
  private static final Duration TIMEOUT = Duration.ofMillis(200);
  /** What a decision may take beyond the timeout on a shared two-core machine. */
  private static final Duration SLACK = Duration.ofMillis(800);

  private final TestClock clock = new TestClock();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private RedisServerProcess redis;

  @BeforeEach
  void startRedis() {
    redis = RedisServerProcess.start();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    redis.close();
    // no client thread outlives its store
    RedisStores.await("client threads to end", Duration.ofSeconds(10), () -> RedisStores.clientThreads() == 0);
  }

  private RedisBucketStore store(RedisSettings.OnFailure onFailure) {
    RedisBucketStore store = RedisBucketStore.create(RedisSettings.standalone(redis.uri()).timeout(TIMEOUT)
        .heartbeat(Duration.ofMillis(100)).onFailure(onFailure).build(), clock);
    closing.add(store);
    return RedisStores.connected(store);
  }

  private ApiSecurity security(RedisBucketStore store, long capacity) {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .rateLimit(RateLimitPolicy.builder("per-ip").key("ip").limit(capacity, Duration.ofHours(1)).build())
        .route(Route.builder("GET /items").auth(AuthMode.NONE).rateLimits("per-ip").build())
        .build();
    ApiSecurity security = ApiSecurity.builder(config).bucketStore(store).clock(clock).auditToSystemLogger(false).build();
    closing.add(security);
    return security;
  }

  private record Outcome(int status, boolean rateLimitHeaders, String retryAfter, long nanos) {}

  private static Outcome get(ApiSecurity security, String ip) {
    long start = System.nanoTime();
    Decision d = security.evaluate(RequestView.builder().method("GET").target("/items")
            .remoteAddress(new InetSocketAddress(ip, 4000)).build())
        .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    return new Outcome(d.status(), d.responseHeaders().contains("RateLimit"),
        d.responseHeaders().firstOrNull("Retry-After"), System.nanoTime() - start);
  }

  /** Sends requests from one thread until stopped, recording each outcome. */
  private static final class Load implements AutoCloseable {
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final Thread thread;

    Load(ApiSecurity security) {
      thread = new Thread(() -> {
        int i = 0;
        while (running.get()) {
          outcomes.add(get(security, "198.51.100." + (i++ % 200)));
        }
      }, "test-load");
      thread.start();
    }

    long count(java.util.function.Predicate<Outcome> which) {
      return outcomes.stream().filter(which).count();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  private static void assertNoneHung(List<Outcome> outcomes) {
    long slowest = outcomes.stream().mapToLong(Outcome::nanos).max().orElse(0);
    assertThat(Duration.ofNanos(slowest)).isLessThan(TIMEOUT.plus(SLACK));
  }

  @Test
  void failClosedAnswers503WithRetryAfterDuringTheOutageAndRecoversWithoutRestart() throws Exception {
    RedisBucketStore store = store(RedisSettings.OnFailure.CLOSED);
    ApiSecurity security = security(store, 1_000);
    List<Outcome> outcomes;
    try (Load load = new Load(security)) {
      RedisStores.await("load before the kill", Duration.ofSeconds(10), () -> load.outcomes.size() >= 50);
      redis.kill();
      RedisStores.await("503s during the outage", Duration.ofSeconds(10), () -> load.count(o -> o.status() == 503) >= 50);
      Health.Component down = security.health().component("rate-limit-store:redis").orElseThrow();
      assertThat(down.status()).isEqualTo(Health.Status.DOWN);
      assertThat(down.lastError()).isNotEmpty().doesNotContain("127.0.0.1");
      assertThat(security.health().ready()).isFalse();
      redis.restart();
      RedisStores.await("recovery", Duration.ofSeconds(15), () -> !store.degraded());
      assertThat(security.health().ready()).isTrue();
      assertThat(security.health().component("rate-limit-store:redis").orElseThrow().status()).isEqualTo(Health.Status.UP);
      int seen = load.outcomes.size();
      RedisStores.await("enforced decisions again", Duration.ofSeconds(10),
          () -> load.outcomes.stream().skip(seen).filter(o -> o.status() == 200 && o.rateLimitHeaders()).count() >= 20);
      outcomes = List.copyOf(load.outcomes);
    }
    assertThat(outcomes).allMatch(o -> o.status() == 200 || o.status() == 503);
    assertThat(outcomes).filteredOn(o -> o.status() == 503).allMatch(o -> "1".equals(o.retryAfter()));
    // closed never admits a request it has not counted
    assertThat(outcomes).filteredOn(o -> o.status() == 200).allMatch(Outcome::rateLimitHeaders);
    assertNoneHung(outcomes);
  }

  @Test
  void failOpenAdmitsUncountedDuringTheOutageAndReportsIt() throws Exception {
    RedisBucketStore store = store(RedisSettings.OnFailure.OPEN);
    ApiSecurity security = security(store, 1_000);
    List<Outcome> outcomes;
    try (Load load = new Load(security)) {
      RedisStores.await("load before the kill", Duration.ofSeconds(10), () -> load.outcomes.size() >= 50);
      redis.kill();
      RedisStores.await("uncounted admissions", Duration.ofSeconds(10), () -> store.unenforcedAdmissions() >= 50);
      redis.restart();
      RedisStores.await("recovery", Duration.ofSeconds(15), () -> !store.degraded());
      int seen = load.outcomes.size();
      RedisStores.await("counted decisions again", Duration.ofSeconds(10),
          () -> load.outcomes.stream().skip(seen).filter(Outcome::rateLimitHeaders).count() >= 20);
      outcomes = List.copyOf(load.outcomes);
    }
    assertThat(outcomes).allMatch(o -> o.status() == 200);
    assertThat(outcomes.stream().filter(o -> !o.rateLimitHeaders()).count()).isEqualTo(store.unenforcedAdmissions());
    assertNoneHung(outcomes);
  }

  @Test
  void failLocalCountsInLocalBucketsHoldingTheLimitDividedAmongLiveNodes() {
    RedisBucketStore nodeA = store(RedisSettings.OnFailure.LOCAL);
    RedisBucketStore nodeB = store(RedisSettings.OnFailure.LOCAL);
    RedisStores.await("both nodes to see each other", Duration.ofSeconds(10),
        () -> nodeA.liveNodes() == 2 && nodeB.liveNodes() == 2);
    ApiSecurity gatewayA = security(nodeA, 10);
    assertThat(get(gatewayA, "198.51.100.7").status()).isEqualTo(200);

    redis.kill();
    RedisStores.await("node A to notice", Duration.ofSeconds(10), () -> get(gatewayA, "198.51.100.9").status() == 200
        && nodeA.degraded());
    List<Outcome> local = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      local.add(get(gatewayA, "198.51.100.7"));
    }
    // 10 per hour shared by two live nodes: 5 here
    assertThat(local.stream().filter(o -> o.status() == 200).count()).isEqualTo(5);
    assertThat(local.subList(5, 8)).allMatch(o -> o.status() == 429 && o.retryAfter() != null);
    assertThat(nodeA.localDecisions()).isGreaterThanOrEqualTo(8);
    Health.Component degraded = gatewayA.health().component("rate-limit-store:redis").orElseThrow();
    assertThat(degraded.status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(degraded.counters()).containsEntry("live-nodes", 2L);
    assertThat(gatewayA.health().ready()).isTrue();
    assertNoneHung(local);

    redis.restart();
    RedisStores.await("recovery", Duration.ofSeconds(15), () -> !nodeA.degraded());
    Outcome counted = get(gatewayA, "198.51.100.7");
    assertThat(counted.status()).isEqualTo(200);
    assertThat(counted.rateLimitHeaders()).isTrue();
  }

  @Test
  void aHungRedisCostsEachRequestNoMoreThanTheTimeout() throws Exception {
    RedisBucketStore store = store(RedisSettings.OnFailure.CLOSED);
    ApiSecurity security = security(store, 1_000);
    assertThat(get(security, "198.51.100.7").status()).isEqualTo(200);
    signal("STOP", redis.pid());
    List<Outcome> during = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        during.add(get(security, "198.51.100.7"));
      }
    } finally {
      signal("CONT", redis.pid());
    }
    assertThat(during).allMatch(o -> o.status() == 503);
    assertNoneHung(during);
    RedisStores.await("recovery", Duration.ofSeconds(15), () -> !store.degraded());
    assertThat(get(security, "198.51.100.7").status()).isEqualTo(200);
  }

  @Test
  void closingTheStoresLeavesNoConnectionOpen() throws Exception {
    RedisBucketStore first = store(RedisSettings.OnFailure.CLOSED);
    RedisBucketStore second = store(RedisSettings.OnFailure.LOCAL);
    assertThat(clients()).isGreaterThanOrEqualTo(3);
    first.close();
    second.close();
    closing.clear();
    RedisStores.await("the server to see only redis-cli", Duration.ofSeconds(10), () -> clients() == 1);
    assertThat(redis.cli("zcard", "apisec:nodes")).isEqualTo("0");
  }

  private long clients() {
    return redis.cli("client", "list").lines().filter(l -> l.startsWith("id=")).count();
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }
}
