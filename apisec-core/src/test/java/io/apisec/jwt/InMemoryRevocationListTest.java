package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryRevocationListTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
  private final InMemoryRevocationList list = new InMemoryRevocationList(clock);

  private boolean revoked(String id) {
    return list.isRevoked(id).toCompletableFuture().join();
  }

  @Test
  void aRevokedIdIsReportedUntilItsExpiryPlusTheGrace() {
    list.revoke("t-1", clock.instant().plusSeconds(60));
    assertThat(revoked("t-1")).isTrue();
    assertThat(revoked("t-2")).isFalse();
    clock.advance(Duration.ofSeconds(60).plus(InMemoryRevocationList.GRACE).minusSeconds(1));
    assertThat(revoked("t-1")).isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(revoked("t-1")).isFalse();
  }

  @Test
  void revokingAgainKeepsTheLaterExpiry() {
    list.revoke("t-1", clock.instant().plusSeconds(3600));
    list.revoke("t-1", clock.instant().plusSeconds(10));
    clock.advance(Duration.ofMinutes(30));
    assertThat(revoked("t-1")).isTrue();
  }

  @Test
  void toStringShowsNoIds() {
    list.revoke("secret-token-id", clock.instant().plusSeconds(10));
    assertThat(list.toString()).doesNotContain("secret-token-id");
  }
}
