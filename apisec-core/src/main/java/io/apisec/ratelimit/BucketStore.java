package io.apisec.ratelimit;

import io.apisec.Health;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where token buckets live: in this process ({@link #inMemory}) or shared among nodes (Redis, in
 * {@code apisec-redis}). Storage is all a store does; the policy says what a bucket holds.
 *
 * <p>Implementations are thread-safe. {@link #tryConsume} never blocks the calling thread, which
 * may be an event loop. A store that cannot reach its backend either completes the stage
 * exceptionally (the stage answers {@code 503}) or answers by its own configured failure
 * behaviour.
 */
public interface BucketStore extends AutoCloseable {
  /**
   * Takes {@code tokens} from the bucket of {@code policy} for {@code key}, creating a full bucket
   * on first use. {@code key} is the caller's resolved key, not yet including the policy name.
   */
  CompletionStage<Admission> tryConsume(String key, RateLimitPolicy policy, long tokens);

  /** The store's health for readiness probes and metrics; none for a store that cannot fail. */
  default Optional<Health.Component> health() {
    return Optional.empty();
  }

  /** Releases connections and caches. */
  @Override
  default void close() {}

  /**
   * A store of lock-free buckets in this process, bounded to {@code maxEntries} buckets (the least
   * recently used go first) and dropping a bucket once it would have refilled completely unused.
   */
  static BucketStore inMemory(Clock clock, long maxEntries) {
    return new InMemoryBucketStore(clock, maxEntries);
  }
}
