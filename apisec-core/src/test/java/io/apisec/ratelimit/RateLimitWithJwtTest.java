package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.TestIssuer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rate limits in the full pipeline with the real JWT stage: order of stages and verified keys. */
class RateLimitWithJwtTest {
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";
  private final TestClock clock = new TestClock(Instant.parse("2026-11-22T12:00:00Z"));
  private final TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
  private final ApiSecurity security = ApiSecurity.builder(ApiSecurityConfig.builder()
          .jwt(JwtConfig.builder()
              .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
              .build())
          .rateLimit(RateLimitPolicy.builder("per-ip").key("ip").limit(5, Duration.ofHours(1)).build())
          .rateLimit(RateLimitPolicy.builder("per-subject").key("jwt.sub").limit(2, Duration.ofHours(1)).build())
          .route(Route.builder("GET /orders").rateLimits("per-ip", "per-subject").build())
          .build())
      .clock(clock)
      .auditToSystemLogger(false)
      .build();

  @AfterEach
  void stop() {
    security.close();
    idp.close();
  }

  private String token(String subject) {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("sub", subject).claim("aud", "api").sign();
  }

  private Decision get(String ip, String token) {
    Headers headers = token == null ? Headers.empty() : Headers.of("Authorization", "Bearer " + token);
    return security.evaluate(RequestView.builder().method("GET").target("/orders").headers(headers)
        .remoteAddress(new InetSocketAddress(ip, 40000)).build()).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void theIpLimitRefusesAFloodBeforeAnyTokenIsVerified() {
    for (int i = 0; i < 5; i++) {
      assertThat(((Decision.Deny) get("198.51.100.7", null)).reason()).isEqualTo(DenyReason.TOKEN_REQUIRED);
    }
    Decision.Deny flood = (Decision.Deny) get("198.51.100.7", token("alice"));
    assertThat(flood.reason()).isEqualTo(DenyReason.RATE_LIMITED);
    assertThat(flood.stage()).isEqualTo("rate-limit");
  }

  @Test
  void theSubjectLimitCountsOnlyVerifiedSubjects() {
    String forged = token("alice").replaceAll(".$", "A").replaceAll("..$", "AB");
    for (int i = 0; i < 3; i++) {
      assertThat(get("198.51.100.1", forged).status()).isEqualTo(401);
    }
    Decision first = get("198.51.100.2", token("alice"));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.responseHeaders().firstOrNull("RateLimit")).contains("\"per-subject\";r=1");
    assertThat(get("198.51.100.3", token("alice")).status()).isEqualTo(200);
    assertThat(get("198.51.100.4", token("alice")).status()).isEqualTo(429);
    assertThat(get("198.51.100.4", token("bob")).status()).isEqualTo(200);
  }
}
