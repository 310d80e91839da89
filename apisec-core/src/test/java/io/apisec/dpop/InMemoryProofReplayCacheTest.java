package io.apisec.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryProofReplayCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  private final InMemoryProofReplayCache cache = new InMemoryProofReplayCache(clock, 1000);

  private boolean firstUse(String id, Duration window) {
    return cache.firstUse(id, clock.instant().plus(window)).toCompletableFuture().join();
  }

  @Test
  void anIdIsAFirstUseOnceUntilItExpires() {
    assertThat(firstUse("a", Duration.ofSeconds(60))).isTrue();
    assertThat(firstUse("a", Duration.ofSeconds(60))).isFalse();
    assertThat(firstUse("b", Duration.ofSeconds(60))).isTrue();
    clock.advance(Duration.ofSeconds(59));
    assertThat(cache.firstUse("a", clock.instant().plusSeconds(60)).toCompletableFuture().join()).isFalse();
    clock.advance(Duration.ofSeconds(2));
    assertThat(cache.firstUse("a", clock.instant().plusSeconds(60)).toCompletableFuture().join()).isTrue();
  }

  @Test
  void aNonPositiveBoundIsRefused() {
    assertThatThrownBy(() -> new InMemoryProofReplayCache(clock, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
