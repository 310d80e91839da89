package io.apisec.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach Redis and what to do when it cannot be reached: a standalone server ({@code uri})
 * or a Redis Cluster ({@code cluster}: seed URIs), with TLS ({@code rediss://}) and a password or
 * ACL user in the URI ({@code rediss://user:secret@host:6380}). Immutable; {@link #toString()}
 * never shows a password.
 */
public final class RedisSettings {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** What the rate limiter does while Redis is unreachable. */
  public enum OnFailure {
    /** Refuse with {@code 503} and {@code Retry-After}. */
    CLOSED,
    /** Admit without counting, and report it. */
    OPEN,
    /** Count in local buckets holding the limit divided by the number of live nodes. */
    LOCAL
  }

  /** How decisions reach Redis: exact in one round trip each, or bucket4j's optimisations. */
  public enum Optimization {
    /**
     * Every decision is one {@code EVALSHA} of a Lua token-bucket script that refills and takes
     * atomically in Redis: exact, one round trip, no retries on a hot key. A policy the script
     * cannot hold exactly (a period that is not a whole microsecond, or a capacity times period
     * beyond 2^53 after reduction) uses bucket4j's compare-and-swap instead: exact, two round trips.
     */
    NONE,
    /** bucket4j's compare-and-swap where concurrent requests for one key share a round trip: exact. */
    BATCHING,
    /**
     * bucket4j's compare-and-swap where each node takes up to {@code delay-tokens} locally
     * between synchronisations: may overshoot by that much per node.
     */
    DELAYING
  }

  private final List<String> uris;
  private final boolean cluster;
  private final Duration timeout;
  private final OnFailure onFailure;
  private final Optimization optimization;
  private final long delayTokens;
  private final Duration delayTimeout;
  private final Duration heartbeat;
  private final String keyPrefix;
  private final long localMaxEntries;
  private final String tlsCaFile;

  private RedisSettings(Builder b) {
    this.uris = List.copyOf(b.uris);
    this.cluster = b.cluster;
    this.timeout = b.timeout;
    this.onFailure = b.onFailure;
    this.optimization = b.optimization;
    this.delayTokens = b.delayTokens;
    this.delayTimeout = b.delayTimeout;
    this.heartbeat = b.heartbeat;
    this.keyPrefix = b.keyPrefix;
    this.localMaxEntries = b.localMaxEntries;
    this.tlsCaFile = b.tlsCaFile;
  }

  /** Settings for a standalone Redis at {@code uri}. */
  public static Builder standalone(String uri) {
    return new Builder(List.of(uri), false);
  }

  /** Settings for a Redis Cluster reached through the given seed nodes. */
  public static Builder cluster(String... seedUris) {
    return new Builder(List.of(seedUris), true);
  }

  /**
   * Reads the {@code store} section (without {@code type}): {@code uri} or {@code cluster},
   * {@code timeout}, {@code on-failure}, {@code optimization}, {@code delay-tokens},
   * {@code delay-timeout}, {@code heartbeat}, {@code key-prefix}, {@code local-max-entries}.
   * Throws IllegalArgumentException naming the key.
   */
  public static RedisSettings fromMap(Map<String, Object> settings) {
    Object uri = settings.get("uri");
    Object cluster = settings.get("cluster");
    if ((uri == null) == (cluster == null)) {
      throw new IllegalArgumentException("store: give either uri (standalone) or cluster (seed URIs), not both or neither");
    }
    Builder b;
    if (uri != null) {
      b = standalone(text("store.uri", uri));
    } else {
      List<String> seeds = new ArrayList<>();
      if (cluster instanceof List) {
        for (Object seed : (List<?>) cluster) {
          seeds.add(text("store.cluster", seed));
        }
      } else {
        seeds.add(text("store.cluster", cluster));
      }
      b = cluster(seeds.toArray(new String[0]));
    }
    for (Map.Entry<String, Object> e : settings.entrySet()) {
      String key = "store." + e.getKey();
      Object value = e.getValue();
      switch (e.getKey()) {
        case "uri", "cluster" -> { }
        case "timeout" -> b.timeout(duration(key, value));
        case "on-failure" -> b.onFailure(OnFailure.valueOf(oneOf(key, value, "closed", "open", "local").toUpperCase(Locale.ROOT)));
        case "optimization" -> b.optimization(
            Optimization.valueOf(oneOf(key, value, "none", "batching", "delaying").toUpperCase(Locale.ROOT)));
        case "delay-tokens" -> b.delay(number(key, value), b.delayTimeout);
        case "delay-timeout" -> b.delay(b.delayTokens, duration(key, value));
        case "heartbeat" -> b.heartbeat(duration(key, value));
        case "key-prefix" -> b.keyPrefix(text(key, value));
        case "local-max-entries" -> b.localMaxEntries(number(key, value));
        case "tls-ca-file" -> b.tlsCaFile(text(key, value));
        default -> throw new IllegalArgumentException(key + ": unknown setting for the redis store; known: uri, cluster, "
            + "timeout, on-failure, optimization, delay-tokens, delay-timeout, heartbeat, key-prefix, local-max-entries, "
            + "tls-ca-file");
      }
    }
    return b.build();
  }

  private static String text(String key, Object value) {
    if (!(value instanceof String) || ((String) value).isBlank()) {
      throw new IllegalArgumentException(key + ": expected a string");
    }
    return (String) value;
  }

  private static long number(String key, Object value) {
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
      throw new IllegalArgumentException(key + ": expected a positive whole number, found " + value);
    }
    return ((Number) value).longValue();
  }

  private static String oneOf(String key, Object value, String... allowed) {
    String text = String.valueOf(value);
    if (!List.of(allowed).contains(text)) {
      throw new IllegalArgumentException(key + ": expected one of " + String.join(", ", allowed) + ", found '" + text + "'");
    }
    return text;
  }

  private static Duration duration(String key, Object value) {
    Matcher m = DURATION.matcher(String.valueOf(value).trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(key + ": expected a duration such as 100ms or 2s, found '" + value + "'");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  /** The server URI, or the cluster's seed URIs. */
  public List<String> uris() {
    return uris;
  }

  public boolean isCluster() {
    return cluster;
  }

  /** The most a decision waits on Redis (connect and command); 100 ms by default. */
  public Duration timeout() {
    return timeout;
  }

  public OnFailure onFailure() {
    return onFailure;
  }

  public Optimization optimization() {
    return optimization;
  }

  /** Under {@link Optimization#DELAYING}: tokens a node may take before synchronising. */
  public long delayTokens() {
    return delayTokens;
  }

  /** Under {@link Optimization#DELAYING}: the longest a node goes without synchronising. */
  public Duration delayTimeout() {
    return delayTimeout;
  }

  /** How often a node announces itself and, while Redis is unreachable, checks whether it is back. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** The prefix of every key written ({@code apisec} by default). */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** The bound on local buckets while falling back. */
  public long localMaxEntries() {
    return localMaxEntries;
  }

  /**
   * PEM certificates of the authorities that sign the server's certificate ({@code rediss://}),
   * or null to use the JVM's trust store. The server's name is always verified.
   */
  public String tlsCaFile() {
    return tlsCaFile;
  }

  @Override
  public String toString() {
    List<String> shown = uris.stream().map(RedisSettings::redact).toList();
    return "RedisSettings[" + (cluster ? "cluster=" : "uri=") + shown + ", timeout=" + timeout
        + ", onFailure=" + onFailure + ", optimization=" + optimization + ']';
  }

  /** The URI without its user information. */
  static String redact(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : uri;
  }

  /** Collects settings; each setter rejects a bad value at once. Not thread-safe. */
  public static final class Builder {
    private final List<String> uris;
    private final boolean cluster;
    private Duration timeout = Duration.ofMillis(100);
    private OnFailure onFailure = OnFailure.CLOSED;
    private Optimization optimization = Optimization.NONE;
    private long delayTokens = 10;
    private Duration delayTimeout = Duration.ofMillis(100);
    private Duration heartbeat = Duration.ofSeconds(1);
    private String keyPrefix = "apisec";
    private long localMaxEntries = 100_000;
    private String tlsCaFile;

    private Builder(List<String> uris, boolean cluster) {
      if (uris.isEmpty()) {
        throw new IllegalArgumentException("store.cluster: give at least one seed URI");
      }
      for (String uri : uris) {
        Objects.requireNonNull(uri, "uri");
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
          throw new IllegalArgumentException((cluster ? "store.cluster" : "store.uri")
              + ": expected a redis:// or rediss:// URI, found '" + redact(uri) + "'");
        }
      }
      this.uris = uris;
      this.cluster = cluster;
    }

    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("store.timeout must be between 1ms and 1m: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public Builder onFailure(OnFailure onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    public Builder optimization(Optimization optimization) {
      this.optimization = Objects.requireNonNull(optimization, "optimization");
      return this;
    }

    /** Parameters of {@link Optimization#DELAYING}. */
    public Builder delay(long tokens, Duration timeout) {
      if (tokens <= 0 || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("store.delay-tokens and store.delay-timeout must be positive");
      }
      this.delayTokens = tokens;
      this.delayTimeout = timeout;
      return this;
    }

    public Builder heartbeat(Duration heartbeat) {
      if (heartbeat.toMillis() < 10) {
        throw new IllegalArgumentException("store.heartbeat must be at least 10ms: " + heartbeat);
      }
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder keyPrefix(String prefix) {
      if (!prefix.matches("[A-Za-z0-9:._-]{1,64}")) {
        throw new IllegalArgumentException("store.key-prefix: use 1-64 letters, digits, ':', '.', '_' or '-'");
      }
      this.keyPrefix = prefix;
      return this;
    }

    public Builder localMaxEntries(long max) {
      if (max <= 0) {
        throw new IllegalArgumentException("store.local-max-entries must be positive: " + max);
      }
      this.localMaxEntries = max;
      return this;
    }

    public Builder tlsCaFile(String pemFile) {
      if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(pemFile))) {
        throw new IllegalArgumentException("store.tls-ca-file: cannot read '" + pemFile + "'");
      }
      this.tlsCaFile = pemFile;
      return this;
    }

    public RedisSettings build() {
      return new RedisSettings(this);
    }
  }
}
