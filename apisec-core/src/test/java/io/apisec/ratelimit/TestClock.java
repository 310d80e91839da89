package io.apisec.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that stands still until a test advances it. Thread-safe. */
public final class TestClock extends Clock {
  private final AtomicLong nanos;

  public TestClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public TestClock(Instant start) {
    this.nanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
  }

  public void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Override
  public Instant instant() {
    long n = nanos.get();
    return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
