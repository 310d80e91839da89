package io.apisec.jwt;

import static io.apisec.jwt.JwtFixture.assertAllowed;
import static io.apisec.jwt.JwtFixture.assertDenied;
import static io.apisec.jwt.JwtFixture.await;
import static io.apisec.jwt.JwtFixture.decide;
import static io.apisec.jwt.JwtFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bearer-token denials of RFC 6750, scopes and required claims, revocation, and the cache, with
 * an HS256 issuer (no key endpoint needed) through {@link ApiSecurity#evaluate}.
 */
class JwtAuthorizationTest {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";

  private final MutableClock clock = new MutableClock(START);
  private final TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
  private final InMemoryRevocationList revocations = new InMemoryRevocationList(clock);
  private final ApiSecurity security = ApiSecurity.builder(ApiSecurityConfig.builder()
          .jwt(JwtConfig.builder()
              .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
              .build())
          .route(Route.builder("GET /orders").scopes("orders:read").build())
          .route(Route.builder("GET /admin").scopes("orders:read", "orders:admin").build())
          .route(Route.builder("GET /eu").requireClaim("region", "eu", "ch").build())
          .route(Route.builder("GET /groups").requireClaim("groups", "ops").build())
          .build())
      .clock(clock)
      .revocationList(revocations)
      .auditToSystemLogger(false)
      .build();

  @AfterEach
  void stop() {
    security.close();
    idp.close();
  }

  private TestIssuer.Token token() {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8));
  }

  private Decision withAuthorization(String path, String... values) {
    Headers.Builder headers = Headers.builder();
    for (String value : values) {
      headers.add("Authorization", value);
    }
    RequestView view = RequestView.builder().method("GET").target(path).headers(headers.build())
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)).build();
    return await(security.evaluate(view));
  }

  @Test
  void missingTokenIsDeniedWith401AndABareBearerChallenge() {
    Decision.Deny deny = assertDenied(await(security.evaluate(request("/orders", null))), DenyReason.TOKEN_REQUIRED,
        "requires a bearer token", null);
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\"");
  }

  @Test
  void anotherSchemeCountsAsNoBearerToken() {
    assertDenied(withAuthorization("/orders", "Basic YWxpY2U6c2VjcmV0"), DenyReason.TOKEN_REQUIRED, "bearer token", null);
  }

  @Test
  void malformedAuthorizationIsDeniedWith400InvalidRequest() {
    for (String value : List.of("Bearer", "Bearer ", "Bearer a b", "Bearer ä", "Bearer =abc")) {
      Decision.Deny deny = assertDenied(withAuthorization("/orders", value), DenyReason.INVALID_AUTHORIZATION,
          "does not hold a bearer token", null);
      assertThat(deny.status()).isEqualTo(400);
      assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).contains("error=\"invalid_request\"");
    }
    String valid = token().sign();
    assertDenied(withAuthorization("/orders", "Bearer " + valid, "Bearer " + valid), DenyReason.INVALID_AUTHORIZATION,
        "more than one", valid);
  }

  @Test
  void schemeNameIsCaseInsensitive() {
    assertAllowed(withAuthorization("/orders", "bEARER " + token().sign()));
  }

  @Test
  void whitespaceAroundTheTokenIsNotPartOfItAndALongerSchemeNameIsAnotherScheme() {
    String valid = token().sign();
    assertAllowed(withAuthorization("/orders", "Bearer " + valid));
    assertAllowed(withAuthorization("/orders", "Bearer   " + valid + " \t")); // the verified-token cache's hit
    assertDenied(withAuthorization("/orders", "Bearerx " + valid), DenyReason.TOKEN_REQUIRED, "bearer token", valid);
    assertDenied(withAuthorization("/orders", "Bear " + valid), DenyReason.TOKEN_REQUIRED, "bearer token", valid);
  }

  @Test
  void invalidTokenDetailReachesTheChallengeWithoutTheToken() {
    String expired = token().claim("exp", START.minusSeconds(3600).getEpochSecond()).sign();
    Decision.Deny deny = assertDenied(decide(security, "/orders", expired), DenyReason.INVALID_TOKEN, "expired", expired);
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate"))
        .contains("error=\"invalid_token\"").contains("error_description=\"The token has expired\"");
  }

  @Test
  void aTokenMacedWithAnotherSecretIsRefused() {
    String forged = idp.hmacToken("another-secret-of-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8)).sign();
    assertDenied(decide(security, "/orders", forged), DenyReason.INVALID_TOKEN, "signature is invalid", forged);
  }

  @Test
  void verifiedClaimsReachTheApplication() {
    Decision.Allow allow = assertAllowed(decide(security, "/orders", token().claim("sub", "bob").sign()));
    Claims claims = allow.identity().claims().orElseThrow();
    assertThat(claims.subject()).contains("bob");
    assertThat(claims.issuer()).contains(idp.issuer());
    assertThat(claims.scopes()).contains("orders:read", "orders:write");
    assertThat(claims.toString()).doesNotContain("bob");
  }

  @Test
  void missingScopeIsDeniedWith403InsufficientScope() {
    Decision.Deny deny = assertDenied(decide(security, "/admin", token().sign()), DenyReason.INSUFFICIENT_SCOPE,
        "orders:admin", null);
    assertThat(deny.status()).isEqualTo(403);
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate"))
        .contains("error=\"insufficient_scope\"").contains("scope=\"");
    assertAllowed(decide(security, "/admin", token().claim("scope", "orders:admin orders:read").sign()));
  }

  @Test
  void scpArrayGrantsScopes() {
    String token = token().claim("scope", null).claim("scp", List.of("orders:read", "orders:admin")).sign();
    assertAllowed(decide(security, "/admin", token));
    assertDenied(decide(security, "/admin", token().claim("scope", null).claim("scp", List.of("orders:read")).sign()),
        DenyReason.INSUFFICIENT_SCOPE, "orders:admin", null);
  }

  @Test
  void requiredClaimValuesAreEnforcedWithoutEchoingTheValue() {
    assertAllowed(decide(security, "/eu", token().claim("region", "ch").sign()));
    Decision.Deny deny = assertDenied(decide(security, "/eu", token().claim("region", "us-secret-region").sign()),
        DenyReason.FORBIDDEN, "'region' claim", null);
    assertThat(deny.detail()).doesNotContain("us-secret-region");
    assertDenied(decide(security, "/eu", token().sign()), DenyReason.FORBIDDEN, "'region' claim", null);
    assertAllowed(decide(security, "/groups", token().claim("groups", List.of("dev", "ops")).sign()));
    assertDenied(decide(security, "/groups", token().claim("groups", List.of("dev")).sign()), DenyReason.FORBIDDEN,
        "'groups' claim", null);
  }

  @Test
  void aRevokedTokenIsRefusedEvenWhenItWasCached() {
    TestIssuer.Token minted = token();
    String token = minted.sign();
    assertAllowed(decide(security, "/orders", token));
    String jti = (String) minted.claims().get("jti");
    revocations.revoke(jti, START.plusSeconds(300));
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "revoked", token);
    assertAllowed(decide(security, "/orders", token().sign()));
  }

  @Test
  void repeatedTokenIsServedFromTheCache() {
    String token = token().sign();
    assertAllowed(decide(security, "/orders", token));
    long before = security.health().component("jwt").orElseThrow().counters().get("signature-verifications");
    assertAllowed(decide(security, "/orders", token));
    assertAllowed(decide(security, "/admin", token().claim("scope", "orders:read orders:admin").sign()));
    assertThat(security.health().component("jwt").orElseThrow().counters().get("signature-verifications"))
        .isEqualTo(before + 1);
    clock.advance(Duration.ofSeconds(400));
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "expired", token);
  }

  @Test
  void healthWithoutKeySourcesIsReady() {
    assertThat(security.health().ready()).isTrue();
    assertThat(security.health().components()).extracting(c -> c.name()).containsExactly("jwt");
  }
}
