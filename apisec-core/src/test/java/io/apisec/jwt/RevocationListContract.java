package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RevocationList} must do; an implementation proves itself by subclassing this
 * in a few lines. Ids are fresh per test, so lists sharing a backend never see each other's.
 */
public abstract class RevocationListContract {
  protected final Clock clock = Clock.systemUTC();
  protected RevocationList list;
  private final String prefix = UUID.randomUUID() + "-";

  /** A list reading {@code clock}. */
  protected abstract RevocationList createList(Clock clock);

  /** Releases the list, if it holds anything. */
  protected void closeList(RevocationList list) {}

  @BeforeEach
  void open() {
    list = createList(clock);
  }

  @AfterEach
  void close() {
    closeList(list);
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aRevokedIdIsRevokedAndOthersAreNot() {
    join(list.revoke(prefix + "a", clock.instant().plus(Duration.ofHours(1))));
    assertThat(join(list.isRevoked(prefix + "a"))).isTrue();
    assertThat(join(list.isRevoked(prefix + "b"))).isFalse();
  }

  @Test
  void revokingTwiceIsHarmless() {
    join(list.revoke(prefix + "a", clock.instant().plus(Duration.ofHours(1))));
    join(list.revoke(prefix + "a", clock.instant().plus(Duration.ofHours(2))));
    assertThat(join(list.isRevoked(prefix + "a"))).isTrue();
  }

  @Test
  void idsAreComparedExactly() {
    join(list.revoke(prefix + "Token-1", clock.instant().plus(Duration.ofHours(1))));
    assertThat(join(list.isRevoked(prefix + "token-1"))).isFalse();
    assertThat(join(list.isRevoked(prefix + "Token-1 "))).isFalse();
  }

  @Test
  void anIdRevokedUntilAMomentAgoIsNoLongerListed() {
    Instant past = clock.instant().minus(InMemoryRevocationList.GRACE).minusSeconds(60);
    join(list.revoke(prefix + "old", past));
    assertThat(join(list.isRevoked(prefix + "old"))).isFalse();
  }
}
