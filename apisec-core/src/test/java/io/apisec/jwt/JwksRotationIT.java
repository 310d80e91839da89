package io.apisec.jwt;

import static io.apisec.jwt.JwtFixture.assertAllowed;
import static io.apisec.jwt.JwtFixture.assertDenied;
import static io.apisec.jwt.JwtFixture.await;
import static io.apisec.jwt.JwtFixture.decide;
import static io.apisec.jwt.JwtFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Health;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Key rotation against a real JWKS endpoint that the tests rotate, take down, stall and make serve
 * garbage; time moves by the test clock.
 */
class JwksRotationIT {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private static final JwtConfig.Refresh REFRESH = new JwtConfig.Refresh(
      Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMillis(500), Duration.ofSeconds(60));

  private final MutableClock clock = new MutableClock(START);
  private final TestIssuer idp = TestIssuer.start(clock);
  private final TestKey first = TestKey.ec("k1", "ES256");
  private final TestKey second = TestKey.ec("k2", "ES256");
  private ApiSecurity security;

  @AfterEach
  void stop() {
    if (security != null) {
      security.close();
    }
    idp.close();
  }

  private ApiSecurity start(JwtConfig.Refresh refresh) {
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(idp.issuer())
            .jwksUri(idp.jwksUri())
            .audiences("api")
            .algorithms("ES256")
            .refresh(refresh)
            .build())
        .build();
    ApiSecurityConfig config = ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build();
    security = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    return security;
  }

  private ApiSecurity startReady() {
    idp.publish(first);
    start(REFRESH);
    TestIssuer.await(() -> security.health().ready(), "the keys to load");
    return security;
  }

  private Health.Component keySource() {
    return security.health().component("jwks:" + idp.issuer()).orElseThrow();
  }

  private long counter(String name) {
    return security.health().component("jwt").orElseThrow().counters().get(name);
  }

  private Decision decideNow(String token) {
    return decide(security, "/orders", token);
  }

  @Test
  void keysAreFetchedAtStartSoTheFirstRequestCompletesSynchronously() {
    startReady();
    assertThat(idp.jwksFetches()).isEqualTo(1);
    assertThat(keySource().state()).isEqualTo("fresh");
    assertThat(keySource().status()).isEqualTo(Health.Status.UP);
    CompletionStage<Decision> stage = send(security, "/orders", idp.token(first).sign());
    assertThat(stage.toCompletableFuture().isDone()).isTrue();
    assertAllowed(await(stage));
    assertThat(idp.jwksFetches()).isEqualTo(1);
  }

  @Test
  void readinessIsDownUntilKeysLoadAndRequestsThenFailClosedWith503() {
    idp.takeDown();
    start(REFRESH);
    TestIssuer.await(() -> keySource().state().equals("failed"), "the first fetch to fail");
    Health health = security.health();
    assertThat(health.ready()).isFalse();
    assertThat(keySource().lastError()).contains("refused");
    Decision.Deny deny = assertDenied(decideNow(idp.token(first).sign()), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(deny.status()).isEqualTo(503);
    assertThat(deny.responseHeaders().firstOrNull("Retry-After")).isNotNull();
    idp.bringUp();
    idp.publish(first);
    clock.advance(Duration.ofSeconds(31));
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(security.health().ready()).isTrue();
  }

  @Test
  void rotationIsPickedUpOnAnUnknownKid() {
    startReady();
    idp.publish(first, second);
    clock.advance(Duration.ofSeconds(31));
    assertAllowed(decideNow(idp.token(second).sign()));
    assertThat(idp.jwksFetches()).isEqualTo(2);
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(idp.jwksFetches()).isEqualTo(2);
  }

  @Test
  void aHundredConcurrentRequestsWithANewKidCauseExactlyOneFetch() throws Exception {
    startReady();
    idp.publish(first, second);
    idp.mode(TestIssuer.Mode.STALL);
    clock.advance(Duration.ofSeconds(31));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<CompletionStage<Decision>>> sent = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String token = idp.token(second).sign();
        sent.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return send(security, "/orders", token);
        }, pool));
      }
      go.countDown();
      List<CompletionStage<Decision>> decisions = new ArrayList<>();
      for (CompletableFuture<CompletionStage<Decision>> s : sent) {
        decisions.add(s.get(10, TimeUnit.SECONDS));
      }
      idp.awaitJwksFetches(2);
      assertThat(decisions).noneMatch(d -> d.toCompletableFuture().isDone());
      idp.releaseStalled();
      for (CompletionStage<Decision> decision : decisions) {
        assertAllowed(await(decision));
      }
      assertThat(idp.jwksFetches()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refetchesForUnknownKidsAreRateLimitedAndRememberedAsUnknown() {
    startReady();
    TestKey invented = TestKey.ec("invented-1", "ES256");
    TestKey another = TestKey.ec("invented-2", "ES256");
    clock.advance(Duration.ofSeconds(31));
    assertDenied(decideNow(idp.token(invented).sign()), DenyReason.INVALID_TOKEN, "key id is unknown", null);
    assertThat(idp.jwksFetches()).isEqualTo(2);
    for (int i = 0; i < 20; i++) {
      assertDenied(decideNow(idp.token(another).sign()), DenyReason.INVALID_TOKEN, "key id is unknown", null);
      assertDenied(decideNow(idp.token(invented).sign()), DenyReason.INVALID_TOKEN, "key id is unknown", null);
    }
    assertThat(idp.jwksFetches()).as("no refetch within the minimum interval").isEqualTo(2);
    clock.advance(Duration.ofSeconds(31));
    assertDenied(decideNow(idp.token(invented).sign()), DenyReason.INVALID_TOKEN, "key id is unknown", null);
    assertThat(idp.jwksFetches()).as("a kid found unknown is not asked for again within its ttl").isEqualTo(2);
    assertDenied(decideNow(idp.token(another).sign()), DenyReason.INVALID_TOKEN, "key id is unknown", null);
    assertThat(idp.jwksFetches()).isEqualTo(3);
  }

  @Test
  void staleKeysServeDuringAnOutageAndStopAfterTheMaximumStaleness() {
    startReady();
    idp.takeDown();
    clock.advance(Duration.ofMinutes(6)); // past the 5m lifetime
    assertAllowed(decideNow(idp.token(first).expiresIn(Duration.ofHours(1)).sign()));
    TestIssuer.await(() -> keySource().lastError().contains("refused"), "the refresh to fail");
    assertThat(keySource().state()).isEqualTo("stale");
    assertThat(keySource().status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(keySource().age()).contains(Duration.ofMinutes(6));
    assertThat(security.health().ready()).isTrue();
    clock.advance(Duration.ofMinutes(10)); // past lifetime + max staleness
    Decision.Deny deny = assertDenied(decideNow(idp.token(first).expiresIn(Duration.ofHours(1)).sign()),
        DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(deny.responseHeaders().firstOrNull("Retry-After")).matches("[1-9][0-9]*");
    assertThat(keySource().state()).isEqualTo("failed");
    assertThat(security.health().ready()).isFalse();
  }

  @Test
  void aCachedTokenStopsPassingOnceItsIssuersKeysArePastTheMaximumStaleness() {
    startReady();
    String token = idp.token(first).expiresIn(Duration.ofHours(1)).sign();
    assertAllowed(decideNow(token));
    long verified = counter("signature-verifications");
    idp.takeDown();
    clock.advance(Duration.ofMinutes(6)); // stale: the cached token still passes without a signature check
    assertAllowed(decideNow(token));
    assertThat(counter("signature-verifications")).isEqualTo(verified);
    clock.advance(Duration.ofMinutes(10)); // past lifetime + max staleness, token still within its exp
    Decision.Deny deny = assertDenied(decideNow(token), DenyReason.UNAVAILABLE, "unavailable", null);
    assertThat(deny.status()).isEqualTo(503);
    idp.bringUp();
    clock.advance(Duration.ofSeconds(31));
    TestIssuer.await(() -> {
      decideNow(token);
      return security.health().ready();
    }, "the keys to load again");
    assertAllowed(decideNow(token));
  }

  @Test
  void aSlowEndpointTimesOutAndTheLastGoodKeysKeepServing() {
    startReady();
    idp.mode(TestIssuer.Mode.STALL);
    clock.advance(Duration.ofMinutes(4)); // past four fifths of the lifetime: refresh ahead
    assertAllowed(decideNow(idp.token(first).sign()));
    TestIssuer.await(() -> keySource().lastError().contains("timed out"), "the fetch to time out");
    assertAllowed(decideNow(idp.token(first).sign()));
    idp.releaseStalled();
  }

  @Test
  void garbageFromTheEndpointKeepsTheLastGoodKeys() {
    startReady();
    idp.mode(TestIssuer.Mode.GARBAGE);
    clock.advance(Duration.ofSeconds(31));
    TestKey rotated = TestKey.ec("k3", "ES256");
    Decision decision = decideNow(idp.token(rotated).sign());
    assertDenied(decision, DenyReason.UNAVAILABLE, "not a JWK set", null);
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(keySource().lastError()).contains("not a JWK set");
    idp.mode(TestIssuer.Mode.ERROR);
    clock.advance(Duration.ofSeconds(31));
    decideNow(idp.token(rotated).sign());
    assertThat(keySource().lastError()).contains("HTTP 500");
    assertAllowed(decideNow(idp.token(first).sign()));
  }

  @Test
  void anEmptyKeySetIsAFailureThatKeepsTheLastGoodKeys() {
    startReady();
    idp.publishJwks(List.of());
    clock.advance(Duration.ofSeconds(31));
    assertDenied(decideNow(idp.token(TestKey.ec("k4", "ES256")).sign()), DenyReason.UNAVAILABLE, "no usable signing key", null);
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(keySource().lastError()).contains("no usable signing key");
  }

  @Test
  void anOversizedKeySetIsRefusedWithoutReadingItAll() {
    startReady();
    idp.publishJwks(List.of(first.jwk(), second.jwkWith("x-padding", "x".repeat(2 * 1024 * 1024))));
    clock.advance(Duration.ofSeconds(31));
    assertDenied(decideNow(idp.token(second).sign()), DenyReason.UNAVAILABLE, "larger than 1024KB", null);
    assertAllowed(decideNow(idp.token(first).sign()));
  }

  @Test
  void cacheControlMaxAgeSetsTheLifetimeWithinTheBounds() {
    idp.cacheControl("public, max-age=100");
    startReady();
    clock.advance(Duration.ofSeconds(79));
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(idp.jwksFetches()).isEqualTo(1);
    idp.cacheControl("max-age=1"); // the next response's: clamped up to min-interval (30 s)
    clock.advance(Duration.ofSeconds(2)); // past 80 s, four fifths of 100 s
    assertAllowed(decideNow(idp.token(first).sign()));
    idp.awaitJwksFetches(2);
    TestIssuer.await(() -> keySource().age().orElseThrow().isZero(), "the refreshed set");
    clock.advance(Duration.ofSeconds(20));
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(idp.jwksFetches()).isEqualTo(2);
    idp.cacheControl("max-age=86400"); // clamped down to max-interval (5 m)
    clock.advance(Duration.ofSeconds(20));
    assertAllowed(decideNow(idp.token(first).sign()));
    idp.awaitJwksFetches(3);
    TestIssuer.await(() -> keySource().age().orElseThrow().isZero(), "the refreshed set");
    clock.advance(Duration.ofMinutes(3));
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(idp.jwksFetches()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(61)); // past four fifths of 5 m
    assertAllowed(decideNow(idp.token(first).sign()));
    idp.awaitJwksFetches(4);
  }

  @Test
  void discoveryLeadsToTheJwks() {
    idp.publish(first);
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(idp.issuer()).discovery(idp.discoveryUri()).audiences("api")
            .algorithms("ES256").build())
        .build();
    security = ApiSecurity.builder(ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build())
        .clock(clock).auditToSystemLogger(false).build();
    TestIssuer.await(() -> security.health().ready(), "the keys to load");
    assertAllowed(decideNow(idp.token(first).sign()));
    assertThat(idp.discoveryFetches()).isEqualTo(1);
  }

  @Test
  void aCachedTokenSkipsTheSignatureCheck() {
    startReady();
    String token = idp.token(first).sign();
    assertAllowed(decideNow(token));
    long verified = counter("signature-verifications");
    for (int i = 0; i < 5; i++) {
      assertAllowed(decideNow(token));
    }
    assertThat(counter("signature-verifications")).isEqualTo(verified);
    assertThat(counter("cache-hits")).isEqualTo(5);
  }

  @Test
  void aCachedTokenIsNeverAcceptedPastItsExpiry() {
    startReady();
    String token = idp.token(first).expiresIn(Duration.ofSeconds(100)).sign();
    assertAllowed(decideNow(token));
    long verified = counter("signature-verifications");
    clock.advance(Duration.ofSeconds(100));
    // at exp the cache no longer answers: the token is checked afresh (and still passes within the skew)
    assertAllowed(decideNow(token));
    assertThat(counter("signature-verifications")).isEqualTo(verified + 1);
    clock.advance(Duration.ofSeconds(60));
    assertDenied(decideNow(token), DenyReason.INVALID_TOKEN, "expired", token);
  }

  @Test
  void tokensVerifiedByAKeyThatLeftTheJwksAreDroppedFromTheCache() {
    startReady();
    String token = idp.token(first).expiresIn(Duration.ofHours(1)).sign();
    assertAllowed(decideNow(token));
    idp.publish(second);
    clock.advance(Duration.ofSeconds(31));
    assertAllowed(decideNow(idp.token(second).sign())); // unknown kid: refetch, k1 is gone
    assertDenied(decideNow(token), DenyReason.INVALID_TOKEN, "key id is unknown", token);
  }

  @Test
  void closeStopsTheBackgroundRefresh() {
    startReady();
    security.close();
    clock.advance(Duration.ofMinutes(4));
    decideNow(idp.token(first).sign());
    decideNow(idp.token(second).sign());
    assertThat(idp.jwksFetches()).isEqualTo(1);
  }
}
