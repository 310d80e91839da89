package io.apisec.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.apisec.Health;
import io.apisec.ratelimit.Admission;
import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.RateLimitPolicy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteAsyncBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets shared by every node through Redis or a Redis Cluster. The exact default
 * ({@link RedisSettings.Optimization#NONE}) takes one round trip per decision: a Lua script
 * ({@link TokenBucketScript}) refills and takes atomically in Redis, under the key {@code
 * apisec:rl:{policy:hash}:tb}; the batching and delaying optimisations use bucket4j's Lettuce
 * compare-and-swap proxy manager under {@code apisec:rl:{policy:hash}}. The hash tag keeps each
 * bucket in one cluster slot, and the hash keeps caller identities (header values, subjects) out
 * of Redis. Time is this store's clock, passed with every decision, as bucket4j's client clock.
 *
 * <p>Thread-safe; {@link #tryConsume} never blocks and completes within the configured timeout.
 * When Redis fails, the store is <em>degraded</em> until the next heartbeat reaches it again; a
 * degraded store answers without Redis as {@link RedisSettings#onFailure()} says: by failing the
 * stage (the limiter answers 503), by admitting unenforced, or from local buckets holding the
 * limit divided by the number of live nodes. Each node announces itself in Redis on every
 * heartbeat with a time-to-live of three heartbeats; that is how nodes count each other.
 * {@link #close()} releases the connection, its threads and the heartbeat.
 */
public final class RedisBucketStore implements BucketStore {
  private static final System.Logger AUDIT = System.getLogger("io.apisec.audit");
  private static final System.Logger LOG = System.getLogger("io.apisec.redis");
  private static final String ANNOUNCE = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return redis.call('ZCARD', KEYS[1])
      """;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private final RedisSettings settings;
  private final Clock clock;
  private final TimeMeter time;
  private final String nodeId = UUID.randomUUID().toString();
  private final RedisConnection connection;
  private final BucketStore local;
  private final ScheduledExecutorService heartbeat;
  private final Map<RateLimitPolicy, BucketConfiguration> configurations = new ConcurrentHashMap<>();
  private final Map<RateLimitPolicy, RateLimitPolicy[]> divided = new ConcurrentHashMap<>();
  /** Per policy: its limits in the script's units, or none when the script cannot hold them exactly. */
  private final Map<RateLimitPolicy, Optional<TokenBucketScript.Limits>> scripted = new ConcurrentHashMap<>();
  private final Cache<String, AsyncBucketProxy> proxies;
  private final AtomicLong unenforced = new AtomicLong();
  private final AtomicLong localDecisions = new AtomicLong();
  private volatile AsyncProxyManager<String> manager;
  private volatile boolean degraded = true;
  private volatile int liveNodes = 1;
  private volatile String lastError = "not connected yet";

  private RedisBucketStore(RedisSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.time = timeMeter(clock);
    this.local = BucketStore.inMemory(clock, settings.localMaxEntries());
    this.proxies = Caffeine.newBuilder().maximumSize(settings.localMaxEntries())
        .expireAfterAccess(Duration.ofMinutes(5)).executor(Runnable::run).build();
    this.connection = new RedisConnection(settings, this::connected, this::degrade);
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "apisec-redis-heartbeat");
      t.setDaemon(true);
      return t;
    });
    connection.connectInBackground();
    long period = settings.heartbeat().toMillis();
    heartbeat.scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
  }

  /** bucket4j's view of the store's clock: wall-clock nanoseconds, as every node must agree on them. */
  static TimeMeter timeMeter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  /** A store for {@code settings}; it connects in the background and is degraded until it has. */
  public static RedisBucketStore create(RedisSettings settings, Clock clock) {
    return new RedisBucketStore(settings, clock);
  }

  @SuppressWarnings("unchecked")
  private void connected(StatefulConnection<String, byte[]> c) {
    Bucket4jLettuce.LettuceBasedProxyManagerBuilder<String> builder = c instanceof StatefulRedisClusterConnection
        ? Bucket4jLettuce.casBasedBuilder((StatefulRedisClusterConnection<String, byte[]>) c)
        : Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<String, byte[]>) c);
    manager = builder
        .clientClock(time)
        .requestTimeout(settings.timeout())
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build()
        .asAsync();
    if (settings.optimization() == RedisSettings.Optimization.NONE) {
      try {
        // ahead of the first decision; a failure here costs that decision an EVAL, nothing more
        TokenBucketScript.load(connection.commands());
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot load the token-bucket script ahead: " + e.getClass().getSimpleName());
      }
    }
    beat();
  }

  /** Announces this node, counts the live ones, and ends the degraded state once Redis answers. */
  private void beat() {
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands == null) {
      connection.connectInBackground();
      return;
    }
    long ttl = settings.heartbeat().toMillis() * 3;
    try {
      commands.<Long>eval(ANNOUNCE, ScriptOutputType.INTEGER, new String[] {settings.keyPrefix() + ":nodes"},
              nodeId.getBytes(StandardCharsets.UTF_8), Long.toString(ttl).getBytes(StandardCharsets.UTF_8))
          .toCompletableFuture()
          .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((count, failure) -> {
            if (failure == null && manager != null) {
              liveNodes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, count));
              if (degraded) {
                degraded = false;
                AUDIT.log(System.Logger.Level.INFO, "{\"event\":\"rate-limit-store-recovered\",\"store\":\"redis\",\"live-nodes\":"
                    + liveNodes + "}");
              }
            } else if (failure != null) {
              degrade(failure);
            }
          });
    } catch (RuntimeException e) {
      degrade(e);
    }
  }

  private void degrade(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause instanceof java.util.concurrent.CompletionException) {
      cause = cause.getCause();
    }
    // the class only: a client's message may name the server URI
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    lastError = cause instanceof java.util.concurrent.TimeoutException ? "timed out after " + settings.timeout().toMillis() + " ms"
        : cause.getClass().getSimpleName() + (root == cause ? "" : " (" + root.getClass().getSimpleName() + ")");
    if (!degraded) {
      degraded = true;
      AUDIT.log(System.Logger.Level.WARNING, "{\"event\":\"rate-limit-store-degraded\",\"store\":\"redis\",\"on-failure\":\""
          + settings.onFailure().name().toLowerCase(java.util.Locale.ROOT) + "\",\"live-nodes\":" + liveNodes + "}");
    }
  }

  @Override
  public CompletionStage<Admission> tryConsume(String key, RateLimitPolicy policy, long tokens) {
    AsyncProxyManager<String> m = manager;
    if (m == null || degraded) {
      return fallback(key, policy, tokens);
    }
    CompletableFuture<Admission> decided;
    try {
      decided = decide(m, key, policy, tokens);
    } catch (RuntimeException e) {
      decided = CompletableFuture.failedFuture(e);
    }
    return decided.orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS).handle((a, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(a);
      }
      degrade(failure);
      return fallback(key, policy, tokens);
    }).thenCompose(s -> s);
  }

  /** One decision in Redis: by the script when exact, else by bucket4j. */
  private CompletableFuture<Admission> decide(AsyncProxyManager<String> m, String key, RateLimitPolicy policy, long tokens) {
    if (settings.optimization() == RedisSettings.Optimization.NONE) {
      Optional<TokenBucketScript.Limits> limits = scripted.computeIfAbsent(policy,
          p -> Optional.ofNullable(TokenBucketScript.limits(p)));
      RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
      long nowMicros = TokenBucketScript.micros(clock.instant());
      if (limits.isPresent() && commands != null && nowMicros >= 0) {
        return TokenBucketScript.tryConsume(commands, redisKey(key, policy) + TokenBucketScript.KEY_SUFFIX, limits.get(),
            tokens, nowMicros);
      }
    }
    return proxy(m, redisKey(key, policy), policy).tryConsumeAndReturnRemaining(tokens).thenApply(RedisBucketStore::admission);
  }

  private CompletionStage<Admission> fallback(String key, RateLimitPolicy policy, long tokens) {
    switch (settings.onFailure()) {
      case OPEN:
        unenforced.incrementAndGet();
        return CompletableFuture.completedFuture(Admission.unenforced());
      case LOCAL: {
        localDecisions.incrementAndGet();
        int nodes = liveNodes;
        return local.tryConsume(nodes + ":" + key, dividedAmong(policy, nodes), tokens);
      }
      default:
        return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
    }
  }

  private RateLimitPolicy dividedAmong(RateLimitPolicy policy, int nodes) {
    RateLimitPolicy[] cached = divided.computeIfAbsent(policy, p -> new RateLimitPolicy[1]);
    RateLimitPolicy last = cached[0];
    if (last != null && last.limits().get(0).capacity() == Math.max(1, policy.limits().get(0).capacity() / nodes)
        && last.limits().get(0).refillTokens() == Math.max(1, policy.limits().get(0).refillTokens() / nodes)) {
      return last;
    }
    RateLimitPolicy fresh = policy.dividedAmong(nodes);
    cached[0] = fresh;
    return fresh;
  }

  private AsyncBucketProxy proxy(AsyncProxyManager<String> m, String redisKey, RateLimitPolicy policy) {
    if (settings.optimization() == RedisSettings.Optimization.NONE) {
      return build(m, redisKey, policy);
    }
    // an optimisation keeps its state in the proxy, so one proxy per key must be reused
    return proxies.get(redisKey, k -> build(m, k, policy));
  }

  private AsyncBucketProxy build(AsyncProxyManager<String> m, String redisKey, RateLimitPolicy policy) {
    BucketConfiguration configuration = configurations.computeIfAbsent(policy, RedisBucketStore::configuration);
    RemoteAsyncBucketBuilder<String> builder = m.builder();
    switch (settings.optimization()) {
      case BATCHING -> builder = builder.withOptimization(Optimizations.batching());
      case DELAYING -> builder = builder.withOptimization(Optimizations.delaying(
          new DelayParameters(settings.delayTokens(), settings.delayTimeout())));
      default -> { }
    }
    return builder.build(redisKey, () -> CompletableFuture.completedFuture(configuration));
  }

  static BucketConfiguration configuration(RateLimitPolicy policy) {
    ConfigurationBuilder builder = BucketConfiguration.builder();
    for (RateLimitPolicy.Bandwidth b : policy.limits()) {
      BandwidthBuilder.BandwidthBuilderRefillStage capacity = Bandwidth.builder().capacity(b.capacity());
      builder.addLimit((b.interval() ? capacity.refillIntervally(b.refillTokens(), b.period())
          : capacity.refillGreedy(b.refillTokens(), b.period())).build());
    }
    return builder.build();
  }

  private static Admission admission(ConsumptionProbe probe) {
    if (probe.isConsumed()) {
      return Admission.admitted(probe.getRemainingTokens(), Math.max(0, probe.getNanosToWaitForReset()));
    }
    return Admission.refused(Math.max(0, probe.getRemainingTokens()), Math.max(0, probe.getNanosToWaitForRefill()),
        Math.max(0, probe.getNanosToWaitForReset()));
  }

  /** The Redis key of a bucket: {@code prefix:rl:{policy:hash-of-key}}. */
  String redisKey(String key, RateLimitPolicy policy) {
    MessageDigest sha = SHA256.get();
    byte[] digest = sha.digest(key.getBytes(StandardCharsets.UTF_8));
    String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 15));
    return settings.keyPrefix() + ":rl:{" + policy.name() + ':' + hash + '}';
  }

  /**
   * {@code rate-limit-store:redis}: up while Redis answers; while it does not, down when failing
   * closed and degraded when failing open or falling back to local buckets.
   */
  @Override
  public Optional<Health.Component> health() {
    boolean down = degraded;
    Health.Status status = !down ? Health.Status.UP
        : settings.onFailure() == RedisSettings.OnFailure.CLOSED ? Health.Status.DOWN : Health.Status.DEGRADED;
    return Optional.of(new Health.Component("rate-limit-store:redis", status,
        down ? "unreachable, failing " + settings.onFailure().name().toLowerCase(java.util.Locale.ROOT) : "connected",
        Optional.empty(), down ? lastError : "",
        Map.of("live-nodes", (long) liveNodes, "unenforced-admissions", unenforced.get(),
            "local-decisions", localDecisions.get())));
  }

  /** Whether Redis is currently bypassed and decisions follow the failure behaviour. */
  public boolean degraded() {
    return degraded;
  }

  /** The number of nodes that announced themselves within the last three heartbeats, at least one. */
  public int liveNodes() {
    return liveNodes;
  }

  /** Requests admitted without a bucket while degraded under {@code on-failure: open}. */
  public long unenforcedAdmissions() {
    return unenforced.get();
  }

  /** Decisions taken from local buckets while degraded under {@code on-failure: local}. */
  public long localDecisions() {
    return localDecisions.get();
  }

  public RedisSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // leave the count of live nodes at once rather than after three heartbeats
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands != null && !degraded) {
      try {
        commands.zrem(settings.keyPrefix() + ":nodes", nodeId.getBytes(StandardCharsets.UTF_8))
            .toCompletableFuture().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
        // the announcement expires by itself
      }
    }
    connection.close();
    local.close();
  }

  @Override
  public String toString() {
    return "RedisBucketStore[" + settings + ", degraded=" + degraded + ", liveNodes=" + liveNodes + ']';
  }
}
