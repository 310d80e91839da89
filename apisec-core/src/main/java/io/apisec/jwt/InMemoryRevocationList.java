package io.apisec.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RevocationList} in this process's memory: for one node, or for tests. An entry lives
 * until the token's expiry plus {@link #GRACE} (which covers any clock skew the start-up lint
 * allows), then goes by itself; entries are never evicted for room.
 *
 * <p>Thread-safe; every stage it returns is already complete.
 */
public final class InMemoryRevocationList implements RevocationList {
  /** How long past its expiry a revoked token id is kept. */
  public static final Duration GRACE = Duration.ofMinutes(5);

  private final Cache<String, Instant> revoked;
  private final Clock clock;

  /** A list on the system clock. */
  public InMemoryRevocationList() {
    this(Clock.systemUTC());
  }

  /** A list whose entries expire by {@code clock} (the one given to {@code ApiSecurity}). */
  public InMemoryRevocationList(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.revoked = Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .expireAfter(Expiry.writing((String key, Instant value) -> lifetime(value)))
        .build();
  }

  private Duration lifetime(Instant expiresAt) {
    Duration left = Duration.between(clock.instant(), expiresAt.plus(GRACE));
    return left.isNegative() ? Duration.ZERO : left;
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String tokenId) {
    return CompletableFuture.completedFuture(revoked.getIfPresent(Objects.requireNonNull(tokenId, "tokenId")) != null);
  }

  @Override
  public CompletionStage<Void> revoke(String tokenId, Instant expiresAt) {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    revoked.asMap().merge(tokenId, expiresAt, (a, b) -> a.isAfter(b) ? a : b);
    return CompletableFuture.completedFuture(null);
  }

  /** How many ids are held (approximately, expired ones may linger until the next access). */
  public long size() {
    return revoked.estimatedSize();
  }

  @Override
  public String toString() {
    return "InMemoryRevocationList[" + revoked.estimatedSize() + " ids]";
  }
}
