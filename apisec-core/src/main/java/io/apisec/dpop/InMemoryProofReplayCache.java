package io.apisec.dpop;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The proof identifiers seen by this process, each kept until its proof could no longer be
 * accepted, bounded in number. Thread-safe; answers synchronously.
 *
 * <p>The bound is what a flood of valid proofs can push out: size it above the number of proofs
 * the process accepts within the proof window (proof max age plus twice the clock skew). For a
 * fleet of nodes, use the Redis cache so a proof replayed on another node is refused too.
 */
public final class InMemoryProofReplayCache implements ProofReplayCache {
  /** The default bound on remembered proofs. */
  public static final long DEFAULT_MAX_ENTRIES = 100_000;

  private final Clock clock;
  private final Cache<String, Instant> seen;

  public InMemoryProofReplayCache(Clock clock, long maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.seen = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfter(Expiry.writing((String key, Instant until) ->
            maxOf(Duration.ofNanos(1), Duration.between(clock.instant(), until))))
        .ticker(() -> {
          Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        })
        .executor(Runnable::run)
        .build();
  }

  @Override
  public CompletionStage<Boolean> firstUse(String id, Instant expiresAt) {
    Objects.requireNonNull(id, "id");
    if (!expiresAt.isAfter(clock.instant())) {
      // a proof past its window is refused before it gets here; nothing to remember
      return CompletableFuture.completedFuture(true);
    }
    return CompletableFuture.completedFuture(seen.asMap().putIfAbsent(id, expiresAt) == null);
  }

  /** How many identifiers are remembered (approximately; expired ones go lazily). */
  public long size() {
    return seen.estimatedSize();
  }

  private static Duration maxOf(Duration floor, Duration value) {
    return value.compareTo(floor) < 0 ? floor : value;
  }
}
