package io.apisec.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named rate limit: one or more token-bucket bandwidths (all must admit), the key that picks a
 * caller's bucket, and what happens when a part of that key is absent.
 *
 * <p>Immutable and thread-safe; build it with {@link #builder(String)}, whose setters reject a bad
 * value at once, naming it.
 */
public final class RateLimitPolicy {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern REFILL = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(ms|s|m|h|d)\\s*");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  /** The key parts a policy may combine. */
  static final List<String> SIMPLE_KEY_PARTS =
      List.of("ip", "route", "jwt.sub", "jwt.client_id", "cert.thumbprint");

  private final String name;
  private final List<Bandwidth> limits;
  private final List<String> key;
  private final OnMissingKey onMissingKey;
  private final HeaderStyle headers;

  private RateLimitPolicy(Builder b) {
    this.name = b.name;
    this.limits = List.copyOf(b.limits);
    this.key = List.copyOf(b.key);
    this.onMissingKey = b.onMissingKey;
    this.headers = b.headers;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The bandwidths, every one of which must hold a token for a request to pass. */
  public List<Bandwidth> limits() {
    return limits;
  }

  /**
   * The key parts: {@code ip}, {@code route}, {@code jwt.sub}, {@code jwt.client_id},
   * {@code cert.thumbprint}, {@code header:NAME}; several parts form a composite key.
   */
  public List<String> key() {
    return key;
  }

  public OnMissingKey onMissingKey() {
    return onMissingKey;
  }

  public HeaderStyle headers() {
    return headers;
  }

  /**
   * Whether the key uses only what is known before authentication (client IP, route, headers), so
   * the policy can run before the costlier certificate and token checks.
   */
  public boolean preAuth() {
    for (String part : key) {
      if (!part.equals("ip") && !part.equals("route") && !part.startsWith("header:")) {
        return false;
      }
    }
    return true;
  }

  /** How long an untouched bucket takes to refill completely: after that it is as good as new. */
  public Duration fullRefill() {
    Duration longest = Duration.ZERO;
    for (Bandwidth b : limits) {
      long periods = (b.capacity() + b.refillTokens() - 1) / b.refillTokens();
      Duration full = b.period().multipliedBy(periods);
      if (full.compareTo(longest) > 0) {
        longest = full;
      }
    }
    return longest;
  }

  /**
   * This policy with every bandwidth's capacity and refill divided by {@code nodes} (at least one
   * token each), for local buckets that share a limit among that many nodes.
   */
  public RateLimitPolicy dividedAmong(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be positive: " + nodes);
    }
    if (nodes == 1) {
      return this;
    }
    Builder b = builder(name).key(key.toArray(new String[0])).onMissingKey(onMissingKey).headers(headers);
    for (Bandwidth bw : limits) {
      b.limit(new Bandwidth(Math.max(1, bw.capacity() / nodes), Math.max(1, bw.refillTokens() / nodes),
          bw.period(), bw.interval()));
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "RateLimitPolicy[" + name + ", key=" + key + ", limits=" + limits + ']';
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RateLimitPolicy)) {
      return false;
    }
    RateLimitPolicy p = (RateLimitPolicy) o;
    return name.equals(p.name) && limits.equals(p.limits) && key.equals(p.key)
        && onMissingKey == p.onMissingKey && headers == p.headers;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, limits, key, onMissingKey, headers);
  }

  /**
   * One bandwidth: at most {@code capacity} tokens, {@code refillTokens} added every
   * {@code period} — continuously (greedy) or all at once at the end of each period (interval).
   */
  public record Bandwidth(long capacity, long refillTokens, Duration period, boolean interval) {
    public Bandwidth {
      Objects.requireNonNull(period, "period");
      if (capacity <= 0) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      if (refillTokens <= 0) {
        throw new IllegalArgumentException("refill tokens must be positive: " + refillTokens);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("refill period must be positive: " + period);
      }
    }

    /** A greedy bandwidth refilling {@code capacity} tokens per {@code period}. */
    public static Bandwidth of(long capacity, Duration period) {
      return new Bandwidth(capacity, capacity, period, false);
    }

    /** Parses a refill such as {@code 20/1s}, {@code 1000/1h} or {@code 5/m}. */
    public static Bandwidth parse(long capacity, String refill, boolean interval) {
      Matcher m = REFILL.matcher(Objects.requireNonNull(refill, "refill"));
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "expected a refill such as 20/1s, 1000/1h or 5/m, found '" + refill + "'");
      }
      long tokens = Long.parseLong(m.group(1));
      long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
      Duration period = switch (m.group(3)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
      return new Bandwidth(capacity, tokens, period, interval);
    }

    /** The window in whole seconds (at least one), as the rate-limit headers state it. */
    public long windowSeconds() {
      long nanosPerToken = period.toNanos() / refillTokens;
      long fullNanos = nanosPerToken * capacity;
      return Math.max(1, (fullNanos + 999_999_999L) / 1_000_000_000L);
    }
  }

  /** What a policy does with a request whose key part is absent (no token, no certificate, no header). */
  public enum OnMissingKey {
    /** Refuse the request with {@code 429}. */
    DENY,
    /** Let the request pass this policy unlimited. */
    SKIP,
    /** Count the request against one bucket shared by every request lacking the key. */
    SHARED;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which rate-limit headers responses carry. */
  public enum HeaderStyle {
    /** {@code RateLimit-Policy} and {@code RateLimit} of the IETF httpapi draft. */
    DRAFT,
    /** {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset}. */
    LEGACY,
    BOTH,
    NONE;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean draft() {
      return this == DRAFT || this == BOTH;
    }

    boolean legacy() {
      return this == LEGACY || this == BOTH;
    }
  }

  /** Collects a policy's settings. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<Bandwidth> limits = new ArrayList<>();
    private final List<String> key = new ArrayList<>();
    private OnMissingKey onMissingKey = OnMissingKey.DENY;
    private HeaderStyle headers = HeaderStyle.DRAFT;

    private Builder(String name) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "Invalid rate-limit policy name '" + name + "': use 1-64 letters, digits, '.', '_' or '-'");
      }
      this.name = name;
    }

    public Builder limit(Bandwidth bandwidth) {
      limits.add(Objects.requireNonNull(bandwidth, "bandwidth"));
      return this;
    }

    /** Adds a greedy bandwidth of {@code capacity} tokens refilled over {@code period}. */
    public Builder limit(long capacity, Duration period) {
      return limit(Bandwidth.of(capacity, period));
    }

    /** Sets the key parts (replacing any set before); see {@link RateLimitPolicy#key()}. */
    public Builder key(String... parts) {
      key.clear();
      for (String part : parts) {
        Objects.requireNonNull(part, "key part");
        if (part.startsWith("header:")) {
          if (!HEADER_NAME.matcher(part.substring(7)).matches()) {
            throw new IllegalArgumentException("Invalid header name in key part '" + part + "'");
          }
          part = "header:" + part.substring(7).toLowerCase(Locale.ROOT);
        } else if (!SIMPLE_KEY_PARTS.contains(part)) {
          throw new IllegalArgumentException("Unknown key part '" + part + "'; known: " + SIMPLE_KEY_PARTS
              + " and header:NAME");
        }
        if (key.contains(part)) {
          throw new IllegalArgumentException("Key part '" + part + "' given twice");
        }
        key.add(part);
      }
      return this;
    }

    public Builder onMissingKey(OnMissingKey outcome) {
      this.onMissingKey = Objects.requireNonNull(outcome, "onMissingKey");
      return this;
    }

    public Builder headers(HeaderStyle style) {
      this.headers = Objects.requireNonNull(style, "headers");
      return this;
    }

    public RateLimitPolicy build() {
      if (limits.isEmpty()) {
        throw new IllegalArgumentException("Rate-limit policy '" + name + "' needs at least one limit");
      }
      if (key.isEmpty()) {
        throw new IllegalArgumentException("Rate-limit policy '" + name + "' needs a key");
      }
      return new RateLimitPolicy(this);
    }
  }
}
