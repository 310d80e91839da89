package io.apisec.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Lock-free bucket4j buckets in a bounded Caffeine cache. A bucket idle for as long as it takes
 * to refill completely is dropped: a new one would be just as full, so eviction never grants a
 * caller more than its limit. Thread-safe.
 */
final class InMemoryBucketStore implements BucketStore {
  private final ClockTimeMeter time;
  private final Cache<String, Entry> buckets;

  InMemoryBucketStore(Clock clock, long maxEntries) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("max-entries must be positive: " + maxEntries);
    }
    this.time = new ClockTimeMeter(clock);
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .executor(Runnable::run)
        .ticker(time::currentTimeNanos)
        .expireAfter(new IdleExpiry())
        .build();
  }

  @Override
  public CompletionStage<Admission> tryConsume(String key, RateLimitPolicy policy, long tokens) {
    Entry entry = buckets.get(policy.name() + '\u0000' + key, k -> new Entry(bucket(policy), policy.fullRefill().toNanos()));
    ConsumptionProbe probe = entry.bucket.tryConsumeAndReturnRemaining(tokens);
    return CompletableFuture.completedFuture(admission(probe));
  }

  /** The number of buckets held, after pending evictions. */
  long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  static Admission admission(ConsumptionProbe probe) {
    if (probe.isConsumed()) {
      return Admission.admitted(probe.getRemainingTokens(), Math.max(0, probe.getNanosToWaitForReset()));
    }
    return Admission.refused(Math.max(0, probe.getRemainingTokens()), Math.max(0, probe.getNanosToWaitForRefill()),
        Math.max(0, probe.getNanosToWaitForReset()));
  }

  private LocalBucket bucket(RateLimitPolicy policy) {
    LocalBucketBuilder builder = Bucket.builder()
        .withCustomTimePrecision(time)
        .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE);
    for (RateLimitPolicy.Bandwidth b : policy.limits()) {
      builder.addLimit(bandwidth(b));
    }
    return builder.build();
  }

  static Bandwidth bandwidth(RateLimitPolicy.Bandwidth b) {
    BandwidthBuilder.BandwidthBuilderRefillStage capacity = Bandwidth.builder().capacity(b.capacity());
    return (b.interval() ? capacity.refillIntervally(b.refillTokens(), b.period())
        : capacity.refillGreedy(b.refillTokens(), b.period())).build();
  }

  private record Entry(LocalBucket bucket, long idleNanos) {}

  private static final class IdleExpiry implements Expiry<String, Entry> {
    @Override
    public long expireAfterCreate(String key, Entry value, long currentTime) {
      return value.idleNanos;
    }

    @Override
    public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
      return value.idleNanos;
    }

    @Override
    public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
      return value.idleNanos;
    }
  }
}
