package io.apisec.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.apisec.Claims;
import io.apisec.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The answers of one introspection endpoint, keyed by the SHA-256 of the token: active answers
 * (with the claims) and, separately bounded so a flood of made-up tokens cannot evict them, refusals.
 *
 * <p>An active entry is fresh until {@code cache-max-ttl} after the call and is kept for
 * {@code max-staleness} beyond that, for use only while the endpoint fails; it never outlives the
 * token's {@code exp} by the injectable clock, whatever the cache's timer granularity. Refusals live
 * {@code negative-cache}. Thread-safe.
 */
final class IntrospectionCache {
  /** An active answer and its timeline; {@code expiresAt} is the token's {@code exp}, when it has one. */
  record Active(Claims claims, Instant expiresAt, Instant freshUntil, Instant usableUntil) {}

  private final Cache<String, Active> active;
  private final Cache<String, Decision.Deny> refused;
  private final Clock clock;

  IntrospectionCache(int maxEntries, Duration negativeTtl, Clock clock) {
    this.clock = clock;
    this.active = maxEntries == 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .expireAfter(Expiry.writing((String key, Active value) ->
            maxOf(Duration.ZERO, Duration.between(clock.instant(), value.usableUntil()))))
        .build();
    this.refused = maxEntries == 0 || negativeTtl.isZero() ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .expireAfterWrite(negativeTtl)
        .build();
  }

  /** The active answer for this hash while it is usable (fresh or stale), else null. */
  Active active(String hash) {
    if (active == null) {
      return null;
    }
    Active hit = active.getIfPresent(hash);
    if (hit != null && !clock.instant().isBefore(hit.usableUntil())) {
      active.invalidate(hash);
      return null;
    }
    return hit;
  }

  /** The cached refusal for this hash, else null. */
  Decision.Deny refused(String hash) {
    return refused == null ? null : refused.getIfPresent(hash);
  }

  void putActive(String hash, Active entry) {
    if (active != null && clock.instant().isBefore(entry.usableUntil())) {
      active.put(hash, entry);
      if (refused != null) {
        refused.invalidate(hash);
      }
    }
  }

  void putRefused(String hash, Decision.Deny deny) {
    if (refused != null) {
      refused.put(hash, deny);
    }
    if (active != null) {
      active.invalidate(hash);
    }
  }

  long size() {
    return (active == null ? 0 : active.estimatedSize()) + (refused == null ? 0 : refused.estimatedSize());
  }

  private static Duration maxOf(Duration floor, Duration value) {
    return value.compareTo(floor) < 0 ? floor : value;
  }
}
