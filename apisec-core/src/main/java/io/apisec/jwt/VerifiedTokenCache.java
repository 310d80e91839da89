package io.apisec.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Tokens whose signature and claims were verified, keyed by the SHA-256 of the token, so that a
 * token presented again skips the signature check. Bounded; an entry never outlives the token's
 * {@code exp} (by the injectable clock) and goes when the key that verified it leaves its key set;
 * it does not pass while its issuer's key set is past its maximum staleness.
 *
 * <p>Thread-safe.
 */
final class VerifiedTokenCache {
  private final Cache<String, IssuerPolicy.Outcome> cache;
  private final Clock clock;

  VerifiedTokenCache(int maxEntries, Clock clock) {
    this.clock = clock;
    this.cache = maxEntries == 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .expireAfter(Expiry.writing((String key, IssuerPolicy.Outcome value) -> untilExpiry(value)))
        .build();
  }

  private Duration untilExpiry(IssuerPolicy.Outcome value) {
    Duration left = Duration.between(clock.instant(), value.expiresAt());
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** The verified token for this hash, if cached and not past its {@code exp}. */
  IssuerPolicy.Outcome get(String hash) {
    if (cache == null) {
      return null;
    }
    IssuerPolicy.Outcome hit = cache.getIfPresent(hash);
    if (hit == null) {
      return null;
    }
    Instant now = clock.instant();
    if (!now.isBefore(hit.expiresAt())) {
      // the ticker's granularity must never let a token live past its exp
      cache.invalidate(hash);
      return null;
    }
    if (!hit.issuer().keysUsable(now)) {
      // keys past their maximum staleness may have been withdrawn: verify again, which fails closed
      return null;
    }
    return hit;
  }

  void put(String hash, IssuerPolicy.Outcome verified) {
    if (cache != null && clock.instant().isBefore(verified.expiresAt())) {
      cache.put(hash, verified);
    }
  }

  /** Drops every token verified by one of these keys (they left their key set). */
  void invalidateVerifiedBy(Set<VerificationKey> keys) {
    if (cache != null) {
      cache.asMap().values().removeIf(outcome -> keys.contains(outcome.key()));
    }
  }

  long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  static String hash(String token) {
    return hash(token, 0, token.length());
  }

  /**
   * The cache key of the token at {@code [from, to)} of {@code text}: what {@link #hash(String)}
   * gives for that substring, without copying the token out of its header first.
   */
  static String hash(String text, int from, int to) {
    Scratch scratch = SCRATCH.get();
    int length = to - from;
    byte[] bytes = scratch.buffer(length);
    for (int i = 0; i < length; i++) {
      char c = text.charAt(from + i);
      bytes[i] = c < 0x80 ? (byte) c : (byte) '?'; // as getBytes(US_ASCII) encodes
    }
    MessageDigest sha256 = scratch.sha256;
    sha256.update(bytes, 0, length);
    try {
      sha256.digest(scratch.digest, 0, scratch.digest.length);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 refused a 32-byte output", e);
    }
    return new String(scratch.digest, StandardCharsets.ISO_8859_1);
  }

  // one digest and buffer per thread: MessageDigest.getInstance looks the provider up on every
  // call (1.5 % of an event loop's samples in the adapter benchmark), and every byte allocated per
  // request adds to the latency tail (NoiseFloorBenchmark)
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    /** Tokens up to this size are encoded in the kept buffer; larger ones in their own. */
    static final int KEPT = 8 * 1024;
    final byte[] digest = new byte[32];
    // grown to the tokens seen, so a short-lived (virtual) thread allocates no more than one token
    private byte[] bytes = new byte[0];
    final MessageDigest sha256;

    Scratch() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from the JDK", e);
      }
    }

    byte[] buffer(int length) {
      if (length <= bytes.length) {
        return bytes;
      }
      if (length > KEPT) {
        return new byte[length];
      }
      bytes = new byte[Math.max(length, Math.min(KEPT, bytes.length * 2))];
      return bytes;
    }
  }
}
