package io.apisec.redis;

import io.apisec.ratelimit.Admission;
import io.apisec.ratelimit.RateLimitPolicy;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The exact token buckets of {@link RedisBucketStore} as one Lua script ({@code token-bucket.lua})
 * that Redis runs atomically: one {@code EVALSHA} per decision. The script refills and takes with
 * bucket4j's integer arithmetic, so a bucket admits, refuses and reports exactly as bucket4j's
 * compare-and-swap did, without the read before the write and without retries on a hot key.
 *
 * <p>Thread-safe and stateless apart from the script's digest. When Redis answers {@code NOSCRIPT}
 * (it restarted, failed over, flushed its scripts, or is a cluster node that never saw the
 * script) the decision is sent again with {@code EVAL}, which also caches the script there; any
 * other failure completes the returned stage exceptionally, for the store's failure behaviour.
 */
final class TokenBucketScript {
  /** Appended to the bucket's key: bucket4j's serialised state lives under the key without it. */
  static final String KEY_SUFFIX = ":tb";

  /** Lua numbers are doubles: integers up to this bound are exact. */
  private static final long EXACT = 1L << 53;
  /** How long a key outlives its bucket's full refill, in ms: a node's clock may run behind Redis's. */
  private static final long TTL_MARGIN_MILLIS = 10_000;

  static final String SOURCE = source();
  static final String SHA1 = sha1(SOURCE);

  private TokenBucketScript() {}

  /** Loads the script into Redis (every master of a cluster) ahead of the first decision. */
  static CompletableFuture<String> load(RedisClusterAsyncCommands<String, byte[]> commands) {
    return commands.scriptLoad(SOURCE).toCompletableFuture();
  }

  /**
   * Takes {@code tokens} from the bucket under {@code key} at {@code nowMicros} (of the store's
   * clock, which also gives the script its refills).
   */
  static CompletableFuture<Admission> tryConsume(RedisClusterAsyncCommands<String, byte[]> commands, String key,
      Limits limits, long tokens, long nowMicros) {
    String[] keys = {key};
    byte[][] arguments = limits.arguments(nowMicros, tokens);
    CompletableFuture<List<Object>> reply = commands.<List<Object>>evalsha(SHA1, ScriptOutputType.MULTI, keys, arguments)
        .toCompletableFuture();
    return reply.exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof RedisNoScriptException) {
        return commands.<List<Object>>eval(SOURCE, ScriptOutputType.MULTI, keys, arguments).toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause);
    }).thenApply(answer -> limits.admission(answer, tokens, nowMicros));
  }

  /**
   * {@code now} in microseconds since the epoch, or -1 outside 1970 to 2255: below 2^53 µs, where
   * the script's numbers are exact.
   */
  static long micros(Instant now) {
    long seconds = now.getEpochSecond();
    if (seconds < 0 || seconds >= EXACT / 1_000_000L) {
      return -1;
    }
    return seconds * 1_000_000L + now.getNano() / 1000;
  }

  /**
   * A policy's bandwidths in the script's integer units, or null when the script cannot hold
   * them exactly (a period that is not a whole microsecond, or a greedy bandwidth whose capacity
   * times its reduced period reaches 2^53): such a policy stays on bucket4j.
   */
  static Limits limits(RateLimitPolicy policy) {
    List<RateLimitPolicy.Bandwidth> bandwidths = policy.limits();
    int n = bandwidths.size();
    long[] capacity = new long[n];
    long[] period = new long[n];
    long[] refill = new long[n];
    boolean[] interval = new boolean[n];
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      RateLimitPolicy.Bandwidth b = bandwidths.get(i);
      long nanos;
      try {
        nanos = b.period().toNanos();
      } catch (ArithmeticException e) {
        return null;
      }
      if (nanos % 1000 != 0 || b.capacity() >= EXACT) {
        return null;
      }
      long micros = nanos / 1000;
      long tokens = b.refillTokens();
      if (!b.interval()) {
        // the refill adds tokens * elapsed / period; dividing both by their gcd keeps every
        // quotient and makes the fractions (and capacity * period) as small as they can be
        long g = gcd(micros, tokens);
        micros /= g;
        tokens /= g;
        if (b.capacity() > (EXACT - 1) / micros) {
          return null;
        }
      } else if (tokens >= EXACT) {
        return null;
      }
      capacity[i] = b.capacity();
      period[i] = micros;
      refill[i] = tokens;
      interval[i] = b.interval();
      text.append(i == 0 ? "" : ";").append(capacity[i]).append('/').append(refill[i]).append('/').append(micros)
          .append(interval[i] ? "i" : "g");
    }
    return new Limits(capacity, period, refill, interval, text.toString());
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long r = a % b;
      a = b;
      b = r;
    }
    return a;
  }

  /** A policy's bandwidths as the script takes them; immutable. */
  static final class Limits {
    private final long[] capacity;
    private final long[] period;
    private final long[] refill;
    private final boolean[] interval;
    /** The script's arguments after now and tokens, encoded once. */
    private final byte[][] constant;

    private Limits(long[] capacity, long[] period, long[] refill, boolean[] interval, String text) {
      this.capacity = capacity;
      this.period = period;
      this.refill = refill;
      this.interval = interval;
      int n = capacity.length;
      constant = new byte[3 + 4 * n][];
      constant[0] = text.getBytes(StandardCharsets.US_ASCII);
      constant[1] = ascii(TTL_MARGIN_MILLIS);
      constant[2] = ascii(n);
      for (int i = 0; i < n; i++) {
        constant[3 + 4 * i] = ascii(capacity[i]);
        constant[4 + 4 * i] = ascii(period[i]);
        constant[5 + 4 * i] = ascii(refill[i]);
        constant[6 + 4 * i] = ascii(interval[i] ? 1 : 0);
      }
    }

    byte[][] arguments(long nowMicros, long tokens) {
      byte[][] arguments = new byte[2 + constant.length][];
      arguments[0] = ascii(nowMicros);
      arguments[1] = ascii(tokens);
      System.arraycopy(constant, 0, arguments, 2, constant.length);
      return arguments;
    }

    /**
     * The admission the script's reply means, with bucket4j's figures: the fewest tokens left
     * over the bandwidths, and the longest wait for the tokens asked for and for a full bucket.
     */
    Admission admission(List<Object> reply, long tokens, long nowMicros) {
      int n = capacity.length;
      if (reply == null || reply.size() != 1 + 2 * n) {
        throw new IllegalStateException("unexpected reply of the token-bucket script: " + (reply == null ? 0 : reply.size())
            + " values for " + n + " bandwidths");
      }
      boolean admitted = ((Long) reply.get(0)) == 1L;
      long remaining = Long.MAX_VALUE;
      long retry = 0;
      long reset = 0;
      for (int i = 0; i < n; i++) {
        long size = (Long) reply.get(1 + 2 * i);
        long other = (Long) reply.get(2 + 2 * i);
        remaining = Math.min(remaining, size);
        reset = Math.max(reset, nanosUntil(i, capacity[i] - size, other, nowMicros));
        if (!admitted) {
          retry = Math.max(retry, nanosUntil(i, tokens - size, other, nowMicros));
        }
      }
      remaining = Math.max(0, remaining);
      return admitted ? Admission.admitted(remaining, reset) : Admission.refused(remaining, retry, reset);
    }

    /**
     * Nanoseconds until bandwidth {@code i} has refilled {@code deficit} more tokens; {@code
     * other} is the refilled fraction (greedy) or the last refill's time (interval).
     */
    private long nanosUntil(int i, long deficit, long other, long nowMicros) {
      if (deficit <= 0) {
        return 0;
      }
      if (interval[i]) {
        // the next refill, then one more per refill's worth of tokens still missing
        long periods = (deficit + refill[i] - 1) / refill[i] - 1;
        long micros = saturatedAdd(Math.max(0, other + period[i] - nowMicros), saturatedMultiply(periods, period[i]));
        return saturatedMultiply(micros, 1000);
      }
      // bucket4j: (period in ns * deficit - rounding error) / refill tokens, which in the
      // script's units is 1000 * (period' * deficit - fraction) / refill'
      long fine = saturatedMultiply(deficit, period[i]) - other;
      return Math.max(0, saturatedMultiply(fine, 1000) / refill[i]);
    }
  }

  private static long saturatedMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static byte[] ascii(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private static String source() {
    try (InputStream in = TokenBucketScript.class.getResourceAsStream("token-bucket.lua")) {
      if (in == null) {
        throw new IllegalStateException("token-bucket.lua is missing from the apisec-redis jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
