package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RateLimitStageTest {
  private final TestClock clock = new TestClock();
  private ApiSecurity security;

  @AfterEach
  void close() {
    if (security != null) {
      security.close();
    }
  }

  private ApiSecurity build(RateLimitPolicy... policies) {
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder().trustedProxies("192.0.2.0/24");
    Route.Builder route = Route.builder("GET /items").auth(AuthMode.NONE);
    for (RateLimitPolicy policy : policies) {
      config.rateLimit(policy);
      route.rateLimits(policy.name());
    }
    security = ApiSecurity.builder(config.route(route.build()).build()).clock(clock).auditToSystemLogger(false).build();
    return security;
  }

  private static RateLimitPolicy perIp(RateLimitPolicy.HeaderStyle headers) {
    // 3 tokens, one more every second
    return RateLimitPolicy.builder("per-ip").key("ip").limit(3, Duration.ofSeconds(3)).headers(headers).build();
  }

  private Decision get(String peer, String... headers) {
    RequestView request = RequestView.builder().method("GET").target("/items")
        .headers(Headers.of(headers)).remoteAddress(new InetSocketAddress(peer, 40000)).build();
    return security.evaluate(request).toCompletableFuture().join();
  }

  @Test
  void draftHeadersAreRightAtTheFirstRequestTheLastTokenARefusalAndAfterRefill() {
    build(perIp(RateLimitPolicy.HeaderStyle.DRAFT));
    Decision first = get("198.51.100.7");
    assertThat(first).isInstanceOf(Decision.Allow.class);
    assertThat(first.responseHeaders().firstOrNull("RateLimit-Policy")).isEqualTo("\"per-ip\";q=3;w=3");
    assertThat(first.responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"per-ip\";r=2;t=1");
    assertThat(first.responseHeaders().contains("X-RateLimit-Limit")).isFalse();

    get("198.51.100.7");
    Decision last = get("198.51.100.7");
    assertThat(last).isInstanceOf(Decision.Allow.class);
    assertThat(last.responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"per-ip\";r=0;t=3");

    Decision refused = get("198.51.100.7");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(((Decision.Deny) refused).reason()).isEqualTo(DenyReason.RATE_LIMITED);
    assertThat(refused.responseHeaders().firstOrNull("Retry-After")).isEqualTo("1");
    assertThat(refused.responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"per-ip\";r=0;t=3");
    assertThat(new String(((Decision.Deny) refused).body(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"status\":429").contains("per-ip");

    clock.advance(Duration.ofMillis(1500));
    Decision refilled = get("198.51.100.7");
    assertThat(refilled).isInstanceOf(Decision.Allow.class);
    assertThat(refilled.responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"per-ip\";r=0;t=3");

    clock.advance(Duration.ofSeconds(10));
    assertThat(get("198.51.100.7").responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"per-ip\";r=2;t=1");
  }

  @Test
  void theInMemoryStoreReportsNoHealthComponent() {
    build(perIp(RateLimitPolicy.HeaderStyle.DRAFT));
    assertThat(security.health().components()).noneMatch(c -> c.name().startsWith("rate-limit"));
  }

  @Test
  void legacyHeadersStateLimitRemainingAndSecondsToReset() {
    build(perIp(RateLimitPolicy.HeaderStyle.LEGACY));
    Decision first = get("198.51.100.7");
    assertThat(first.responseHeaders().firstOrNull("X-RateLimit-Limit")).isEqualTo("3");
    assertThat(first.responseHeaders().firstOrNull("X-RateLimit-Remaining")).isEqualTo("2");
    assertThat(first.responseHeaders().firstOrNull("X-RateLimit-Reset")).isEqualTo("1");
    assertThat(first.responseHeaders().contains("RateLimit")).isFalse();
    get("198.51.100.7");
    get("198.51.100.7");
    Decision refused = get("198.51.100.7");
    assertThat(refused.responseHeaders().firstOrNull("X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(refused.responseHeaders().firstOrNull("Retry-After")).isEqualTo("1");
  }

  @Test
  void bothStylesOrNoneAsConfigured() {
    build(perIp(RateLimitPolicy.HeaderStyle.BOTH));
    Decision both = get("198.51.100.7");
    assertThat(both.responseHeaders().contains("RateLimit")).isTrue();
    assertThat(both.responseHeaders().contains("X-RateLimit-Remaining")).isTrue();
    security.close();
    build(perIp(RateLimitPolicy.HeaderStyle.NONE));
    Decision none = get("198.51.100.7");
    assertThat(none.responseHeaders().names()).noneMatch(n -> n.contains("ratelimit"));
    get("198.51.100.7");
    get("198.51.100.7");
    Decision refused = get("198.51.100.7");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.responseHeaders().firstOrNull("Retry-After")).isEqualTo("1");
  }

  @Test
  void aPolicyOfSeveralBandwidthsListsEachQuotaAndEveryPolicyOfTheRouteMustAdmit() {
    RateLimitPolicy burst = RateLimitPolicy.builder("burst").key("ip")
        .limit(2, Duration.ofSeconds(1)).limit(100, Duration.ofHours(1)).build();
    RateLimitPolicy route = RateLimitPolicy.builder("whole-route").key("route").limit(3, Duration.ofHours(1)).build();
    build(burst, route);
    Decision first = get("198.51.100.7");
    assertThat(first.responseHeaders().firstOrNull("RateLimit-Policy"))
        .isEqualTo("\"burst\";q=2;w=1, \"burst-2\";q=100;w=3600, \"whole-route\";q=3;w=3600");
    assertThat(first.responseHeaders().firstOrNull("RateLimit")).isEqualTo("\"burst\";r=1;t=36, \"whole-route\";r=2;t=1200");
    assertThat(get("198.51.100.8").status()).isEqualTo(200);
    assertThat(get("198.51.100.9").status()).isEqualTo(200);
    Decision routeFull = get("198.51.100.10");
    assertThat(routeFull.status()).isEqualTo(429);
    assertThat(((Decision.Deny) routeFull).detail()).contains("whole-route");
  }

  @Test
  void anUntrustedPeerChangingXForwardedForStaysInItsOwnBucket() {
    build(perIp(RateLimitPolicy.HeaderStyle.DRAFT));
    for (int i = 0; i < 3; i++) {
      assertThat(get("203.0.113.5", "X-Forwarded-For", "10.0.0." + i).status()).isEqualTo(200);
    }
    assertThat(get("203.0.113.5", "X-Forwarded-For", "10.0.0.99").status()).isEqualTo(429);
    assertThat(get("203.0.113.5", "X-Forwarded-For", "10.9.9.9, 198.51.100.1").status()).isEqualTo(429);
    assertThat(get("203.0.113.5").status()).isEqualTo(429);
  }

  @Test
  void aTrustedProxyForwardsEachClientToItsOwnBucket() {
    build(perIp(RateLimitPolicy.HeaderStyle.DRAFT));
    for (int i = 0; i < 3; i++) {
      assertThat(get("192.0.2.1", "X-Forwarded-For", "198.51.100.1").status()).isEqualTo(200);
    }
    assertThat(get("192.0.2.1", "X-Forwarded-For", "198.51.100.1").status()).isEqualTo(429);
    assertThat(get("192.0.2.1", "X-Forwarded-For", "198.51.100.2").status()).isEqualTo(200);
    // a client prepending a forged hop is still counted by its real address, the right-most untrusted hop
    assertThat(get("192.0.2.1", "X-Forwarded-For", "1.2.3.4, 198.51.100.1").status()).isEqualTo(429);
  }

  @Test
  void aFailingStoreAnswers503WithRetryAfter() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .rateLimit(perIp(RateLimitPolicy.HeaderStyle.DRAFT))
        .route(Route.builder("GET /items").auth(AuthMode.NONE).rateLimits("per-ip").build()).build();
    BucketStore broken = (key, policy, tokens) -> CompletableFuture.failedFuture(new java.io.IOException("down"));
    security = ApiSecurity.builder(config).bucketStore(broken).clock(clock).auditToSystemLogger(false).build();
    Decision decision = security.evaluate(RequestView.builder().method("GET").target("/items")
        .remoteAddress(new InetSocketAddress("198.51.100.7", 1)).build()).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
    assertThat(decision.status()).isEqualTo(503);
    assertThat(((Decision.Deny) decision).reason()).isEqualTo(DenyReason.UNAVAILABLE);
    assertThat(((Decision.Deny) decision).stage()).isEqualTo("rate-limit");
    assertThat(decision.responseHeaders().firstOrNull("Retry-After")).isEqualTo("1");
  }

  @Test
  void anUnenforcedAdmissionPassesWithoutHeaders() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .rateLimit(perIp(RateLimitPolicy.HeaderStyle.BOTH))
        .route(Route.builder("GET /items").auth(AuthMode.NONE).rateLimits("per-ip").build()).build();
    BucketStore open = (key, policy, tokens) -> CompletableFuture.completedFuture(Admission.unenforced());
    security = ApiSecurity.builder(config).bucketStore(open).clock(clock).auditToSystemLogger(false).build();
    Decision decision = get("198.51.100.7");
    assertThat(decision.status()).isEqualTo(200);
    assertThat(decision.responseHeaders().names()).noneMatch(n -> n.contains("ratelimit"));
  }

  @Test
  void reportOnlyRecordsTheRefusalAndLetsTheRequestPass() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .rateLimit(perIp(RateLimitPolicy.HeaderStyle.DRAFT)).reportOnly("rate-limit")
        .route(Route.builder("GET /items").auth(AuthMode.NONE).rateLimits("per-ip").build()).build();
    security = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    for (int i = 0; i < 5; i++) {
      assertThat(get("198.51.100.7").status()).isEqualTo(200);
    }
  }
}
