package io.apisec.redis;

import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Helpers of the Redis tests: waiting on conditions with a deadline, counting client threads. */
final class RedisStores {
  private RedisStores() {}

  /** Waits until {@code condition} holds, failing after {@code within}. */
  static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** Waits until the store has connected and left its initial degraded state. */
  static RedisBucketStore connected(RedisBucketStore store) {
    await("the store to connect", Duration.ofSeconds(15), () -> !store.degraded());
    return store;
  }

  /** The live threads of the Redis client and of our heartbeat. */
  static long clientThreads() {
    Set<Thread> threads = Thread.getAllStackTraces().keySet();
    return threads.stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("lettuce-") || t.getName().startsWith("apisec-redis")).count();
  }
}
