package io.apisec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Fuzzes the JWT stage with arbitrary and mutated bearer tokens. Properties: the pipeline always
 * answers (never an exception, never a 5xx); a refusal never echoes the token; and whatever it
 * accepts, a strict reference (nimbus parse + HMAC verify + the time, issuer and audience rules)
 * accepts too.
 */
class JwtStageFuzzTest {
  private static final String SECRET = "fuzzing-secret-of-at-least-32-bytes!!";
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final MutableClock CLOCK = new MutableClock(NOW);
  private static final ApiSecurity SECURITY = ApiSecurity.builder(ApiSecurityConfig.builder()
          .jwt(JwtConfig.builder().issuer(JwtConfig.Issuer.builder("https://fuzz.example/")
              .secret(SECRET).algorithms("HS256").audiences("api").build()).build())
          .route(Route.builder("GET /orders").auth(AuthMode.JWT).build())
          .build())
      .clock(CLOCK).auditToSystemLogger(false).build();
  private static final TestIssuer ISSUER = TestIssuer.minting("https://fuzz.example/", CLOCK);
  private static final String VALID = ISSUER.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8))
      .claim("aud", "api").claim("sub", "alice").expiresIn(Duration.ofMinutes(5)).sign();

  @FuzzTest(maxDuration = "60s")
  void whateverPassesAlsoPassesAStrictReference(FuzzedDataProvider data) throws Exception {
    String token;
    if (data.consumeBoolean()) {
      StringBuilder mutated = new StringBuilder(VALID);
      int edits = data.consumeInt(1, 4);
      for (int i = 0; i < edits && mutated.length() > 0; i++) {
        int at = data.consumeInt(0, mutated.length() - 1);
        mutated.setCharAt(at, data.consumeChar());
      }
      token = mutated.toString();
    } else {
      token = data.consumeRemainingAsString();
    }
    RequestView request = RequestView.builder().method("GET").target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + token))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)).build();
    Decision decision = SECURITY.evaluate(request).toCompletableFuture().get();
    assertThat(decision.status()).isIn(200, 400, 401);
    if (decision instanceof Decision.Deny deny) {
      String body = new String(deny.body(), StandardCharsets.UTF_8);
      if (token.length() >= 24) {
        assertThat(body).doesNotContain(token);
        assertThat(String.join(" ", deny.responseHeaders().all("www-authenticate"))).doesNotContain(token);
      }
      return;
    }
    SignedJWT reference = SignedJWT.parse(token);
    assertThat(reference.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
    assertThat(reference.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
    Date exp = reference.getJWTClaimsSet().getExpirationTime();
    assertThat(exp).isNotNull();
    assertThat(exp.toInstant()).isAfter(NOW.minusSeconds(60));
    assertThat(reference.getJWTClaimsSet().getIssuer()).isEqualTo("https://fuzz.example/");
    assertThat(reference.getJWTClaimsSet().getAudience()).isEqualTo(List.of("api"));
  }
}
