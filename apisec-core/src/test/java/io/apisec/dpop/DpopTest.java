package io.apisec.dpop;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.DpopConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.DpopClient;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DPoP (RFC 9449) through {@link ApiSecurity#evaluate} with real signed proofs (EC, RSA, Ed25519)
 * and tokens bound to their keys: the accepted cases and every §4.3 refusal, the bearer
 * downgrade, the modes, and the challenges.
 */
class DpopTest {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";
  private static final String URL = "http://api.example.com/orders";

  private final MutableClock clock = new MutableClock(START);
  private final TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
  private final TestIssuer strictIdp = TestIssuer.minting("https://strict.example.com/", clock);
  private final DpopClient client = DpopClient.es256(clock);
  private ApiSecurity security = security(c -> { });

  private ApiSecurity security(Consumer<ApiSecurityConfig.Builder> more) {
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder()
        .jwt(JwtConfig.builder()
            .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
            .issuer(JwtConfig.Issuer.builder(strictIdp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
            .clockSkew(Duration.ofSeconds(5))
            .build())
        .trustedProxies("10.0.0.0/8")
        .route(Route.builder("GET,POST /orders").build())
        .route(Route.builder("GET /strict").dpop(DpopMode.REQUIRED).build())
        .route(Route.builder("GET /legacy").dpop(DpopMode.DISABLED).build());
    more.accept(config);
    if (security != null) {
      security.close();
    }
    return ApiSecurity.builder(config.build()).clock(clock).auditToSystemLogger(false).build();
  }

  @AfterEach
  void stop() {
    security.close();
  }

  private String boundToken(DpopClient owner) {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("cnf", owner.cnf()).sign();
  }

  private String bearerToken() {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).sign();
  }

  private static Decision send(ApiSecurity security, String method, String path, String authorization, String... dpop) {
    return send(security, method, path, "127.0.0.1", null, authorization, dpop);
  }

  private static Decision send(ApiSecurity security, String method, String path, String peer, Headers extra,
      String authorization, String... dpop) {
    Headers.Builder headers = Headers.builder().add("Host", "api.example.com");
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    for (String proof : dpop) {
      headers.add("DPoP", proof);
    }
    if (extra != null) {
      headers.addAll(extra);
    }
    RequestView view = RequestView.builder().method(method).target(path).headers(headers.build())
        .remoteAddress(new InetSocketAddress(peer, 40000)).build();
    try {
      return security.evaluate(view).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the decision did not complete", e);
    }
  }

  private Decision dpop(String method, String path, String token, String proof) {
    return send(security, method, path, "DPoP " + token, proof);
  }

  private static Decision.Deny denied(Decision decision, DenyReason reason, String detail) {
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason()).as("reason (detail: %s)", deny.detail()).isEqualTo(reason);
    assertThat(deny.detail()).contains(detail);
    return deny;
  }

  private static Decision.Deny invalidProof(Decision decision, String detail) {
    Decision.Deny deny = denied(decision, DenyReason.INVALID_DPOP_PROOF, detail);
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.responseHeaders().all("WWW-Authenticate")).singleElement().asString()
        .startsWith("DPoP algs=\"ES256 ES384 PS256 RS256 EdDSA\", error=\"invalid_dpop_proof\", error_description=\"");
    return deny;
  }

  @Test
  void es256ProofWithItsBoundTokenIsAllowed() {
    String token = boundToken(client);
    Decision decision = dpop("GET", "/orders", token, client.proof("GET", URL, token).sign());
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(((Decision.Allow) decision).identity().claims().orElseThrow().subject()).contains("alice");
  }

  @Test
  void rsaPssRsaAndEd25519ProofsAreAllowed() {
    for (TestKey key : List.of(TestKey.rsa("r", 2048, "PS256"), TestKey.rsa("r", 2048, "RS256"), TestKey.ed25519("e"))) {
      DpopClient other = new DpopClient(key, clock);
      String token = boundToken(other);
      assertThat(dpop("POST", "/orders", token, other.proof("POST", URL, token).sign()))
          .as(key.alg()).isInstanceOf(Decision.Allow.class);
    }
  }

  @Test
  void replayedProofIsDeniedWith401() {
    String token = boundToken(client);
    String proof = client.proof("GET", URL, token).sign();
    assertThat(dpop("GET", "/orders", token, proof)).isInstanceOf(Decision.Allow.class);
    invalidProof(dpop("GET", "/orders", token, proof), "used before (jti)");
    clock.advance(Duration.ofSeconds(30));
    invalidProof(dpop("GET", "/orders", token, proof), "used before (jti)");
  }

  @Test
  void aFreshProofWithANewJtiIsAllowedAfterAnother() {
    String token = boundToken(client);
    assertThat(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign())).isInstanceOf(Decision.Allow.class);
    assertThat(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void proofForAnotherMethodIsDenied() {
    String token = boundToken(client);
    invalidProof(dpop("POST", "/orders", token, client.proof("GET", URL, token).sign()), "another method (htm)");
  }

  @Test
  void proofForAnotherUrlIsDenied() {
    String token = boundToken(client);
    for (String url : List.of("http://api.example.com/admin", "http://evil.example.com/orders",
        "https://api.example.com/orders", "http://api.example.com:8080/orders")) {
      invalidProof(dpop("GET", "/orders", token, client.proof("GET", url, token).sign()), "another URL (htu)");
    }
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", "/orders", token).sign()), "not an http(s) URL");
  }

  @Test
  void htuIsComparedAfterNormalisationIgnoringQueryAndFragment() {
    String token = boundToken(client);
    for (String url : List.of("HTTP://API.Example.COM:80/orders", "http://api.example.com/%6Frders?page=2#top")) {
      assertThat(dpop("GET", "/orders?page=2", token, client.proof("GET", url, token).sign()))
          .as(url).isInstanceOf(Decision.Allow.class);
    }
  }

  @Test
  void proofOlderThanTheWindowIsDenied() {
    clock.advance(Duration.ofSeconds(60 + 5 + 1));
    String token = boundToken(client);
    String proof = client.proof("GET", URL, token).claim("iat", START.getEpochSecond()).sign();
    invalidProof(dpop("GET", "/orders", token, proof), "too old (iat)");
  }

  @Test
  void proofAtTheEdgeOfTheWindowIsStillAllowed() {
    clock.advance(Duration.ofSeconds(65));
    String token = boundToken(client);
    String proof = client.proof("GET", URL, token).claim("iat", START.getEpochSecond()).sign();
    assertThat(dpop("GET", "/orders", token, proof)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void proofFromTheFutureIsDenied() {
    String token = boundToken(client);
    String proof = client.proof("GET", URL, token).claim("iat", START.getEpochSecond() + 6).sign();
    invalidProof(dpop("GET", "/orders", token, proof), "in the future (iat)");
    String fractional = client.proof("GET", URL, token).claim("iat", START.getEpochSecond() + 0.5).sign();
    invalidProof(dpop("GET", "/orders", token, fractional), "no iat in whole seconds");
  }

  @Test
  void tokenBoundToAnotherKeyIsDenied() {
    DpopClient thief = DpopClient.es256(clock);
    String token = boundToken(client);
    invalidProof(dpop("GET", "/orders", token, thief.proof("GET", URL, token).sign()), "not the one the token is bound to");
  }

  @Test
  void proofWithoutAthOrForAnotherTokenIsDenied() {
    String token = boundToken(client);
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, null).sign()), "no ath");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, boundToken(client)).sign()),
        "another access token (ath)");
  }

  @Test
  void proofWithAPrivateKeyInItsJwkIsDenied() {
    ECKey full = new ECKey.Builder(Curve.P_256, (ECPublicKey) client.key().pair().getPublic())
        .privateKey((ECPrivateKey) client.key().pair().getPrivate()).build();
    String token = boundToken(client);
    Map<String, Object> jwk = full.toJSONObject();
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("jwk", jwk).sign()),
        "private or symmetric key material");
    Map<String, Object> oct = Map.of("kty", "oct", "k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("jwk", oct).sign()),
        "private or symmetric key material");
  }

  @Test
  void proofWithAlgNoneOrHs256IsDenied() {
    String token = boundToken(client);
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("alg", "none").signature("").sign()),
        "not a compact JWS");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("alg", "none").signature("AAAA").sign()),
        "not an asymmetric signature algorithm");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("alg", "HS256").sign()),
        "not an asymmetric signature algorithm");
  }

  @Test
  void proofSignedByAnotherKeyThanItsJwkOrWithAWrongTypIsDenied() {
    String token = boundToken(client);
    invalidProof(dpop("GET", "/orders", token,
        client.proof("GET", URL, token).signedBy(TestKey.ec("x", "ES256")).sign()), "does not verify with its jwk");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("typ", "JWT").sign()),
        "typ is not dpop+jwt");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("jwk", null).sign()),
        "no jwk header");
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).claim("jti", null).sign()), "no jti");
    invalidProof(dpop("GET", "/orders", token, "not-a-jwt"), "not a compact JWS");
  }

  @Test
  void algThatDoesNotFitTheKeyIsDenied() {
    String token = boundToken(client);
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).header("alg", "ES384").sign()),
        "does not fit its alg");
    DpopClient rsa = new DpopClient(TestKey.rsa("small", 1024, "RS256"), clock);
    String rsaToken = boundToken(rsa);
    invalidProof(dpop("GET", "/orders", rsaToken, rsa.proof("GET", URL, rsaToken).sign()), "shorter than 2048 bits");
  }

  @Test
  void algOutsideTheConfiguredListIsDenied() {
    security = security(c -> c.dpop(DpopConfig.builder().algorithms("EdDSA").build()));
    String token = boundToken(client);
    Decision.Deny deny = denied(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign()),
        DenyReason.INVALID_DPOP_PROOF, "alg is not accepted");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=\"EdDSA\", error=");
  }

  @Test
  void boundTokenSentAsBearerIsDeniedWithADpopChallenge() {
    String token = boundToken(client);
    Decision.Deny deny = denied(send(security, "GET", "/orders", "Bearer " + token), DenyReason.INVALID_TOKEN,
        "bound to a DPoP key");
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=").contains("error=\"invalid_token\"");
    // with a valid proof beside it, a Bearer scheme is still a downgrade
    denied(send(security, "GET", "/orders", "Bearer " + token, client.proof("GET", URL, token).sign()),
        DenyReason.INVALID_TOKEN, "bound to a DPoP key");
  }

  @Test
  void dpopSchemeWithoutProofIsDenied() {
    String token = boundToken(client);
    invalidProof(send(security, "GET", "/orders", "DPoP " + token), "needs a DPoP proof header");
  }

  @Test
  void twoDpopHeadersAreABadRequest() {
    String token = boundToken(client);
    Decision.Deny deny = denied(send(security, "GET", "/orders", "DPoP " + token,
        client.proof("GET", URL, token).sign(), client.proof("GET", URL, token).sign()),
        DenyReason.AMBIGUOUS_DPOP_PROOF, "more than one DPoP header");
    assertThat(deny.status()).isEqualTo(400);
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).contains("error=\"invalid_dpop_proof\"");
  }

  @Test
  void unboundTokenWithTheDpopSchemeIsDenied() {
    String token = bearerToken();
    Decision.Deny deny = denied(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign()),
        DenyReason.INVALID_TOKEN, "not bound to a key (cnf.jkt)");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=");
  }

  @Test
  void invalidTokenSentWithTheDpopSchemeGetsADpopChallenge() {
    String token = boundToken(client).replace('.', '!').replace("!", ".x");
    Decision.Deny deny = denied(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign()),
        DenyReason.INVALID_TOKEN, "");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=").contains("invalid_token");
  }

  @Test
  void allowedRouteStillTakesPlainBearerTokensWithABearerChallenge() {
    assertThat(send(security, "GET", "/orders", "Bearer " + bearerToken())).isInstanceOf(Decision.Allow.class);
    Decision.Deny deny = denied(send(security, "GET", "/orders", null), DenyReason.TOKEN_REQUIRED, "");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\"");
  }

  @Test
  void requiredRouteRefusesBearerTokensAndChallengesWithDpop() {
    Decision.Deny deny = denied(send(security, "GET", "/strict", "Bearer " + bearerToken()), DenyReason.INVALID_TOKEN,
        "requires a DPoP-bound token");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=\"ES256");
    Decision.Deny none = denied(send(security, "GET", "/strict", null), DenyReason.TOKEN_REQUIRED, "");
    assertThat(none.responseHeaders().firstOrNull("WWW-Authenticate")).isEqualTo("DPoP algs=\"ES256 ES384 PS256 RS256 EdDSA\"");
    String token = boundToken(client);
    assertThat(dpop("GET", "/strict", token, client.proof("GET", "http://api.example.com/strict", token).sign()))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void disabledRouteRefusesTheDpopSchemeWithABearerChallenge() {
    String token = boundToken(client);
    Decision.Deny deny = denied(dpop("GET", "/legacy", token, client.proof("GET", "http://api.example.com/legacy", token).sign()),
        DenyReason.TOKEN_REQUIRED, "does not accept DPoP");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).isEqualTo("Bearer realm=\"api\"");
    assertThat(send(security, "GET", "/legacy", "Bearer " + bearerToken())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void issuerThatRequiresDpopHasItsBearerTokensRefusedOnAnAllowedRoute() {
    security = security(c -> c.dpop(DpopConfig.builder().issuer(strictIdp.issuer(), DpopMode.REQUIRED).build()));
    String strictBearer = strictIdp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).sign();
    denied(send(security, "GET", "/orders", "Bearer " + strictBearer), DenyReason.INVALID_TOKEN, "requires a DPoP-bound token");
    assertThat(send(security, "GET", "/orders", "Bearer " + bearerToken())).isInstanceOf(Decision.Allow.class);
    String strictBound = strictIdp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("cnf", client.cnf()).sign();
    assertThat(dpop("GET", "/orders", strictBound, client.proof("GET", URL, strictBound).sign())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void trustedProxyForwardedProtoAndHostFormTheUrl() {
    String token = boundToken(client);
    Headers forwarded = Headers.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "public.example.com");
    String proof = client.proof("GET", "https://public.example.com/orders", token).sign();
    assertThat(send(security, "GET", "/orders", "10.1.2.3", forwarded, "DPoP " + token, proof))
        .isInstanceOf(Decision.Allow.class);
    // the same headers from an untrusted peer are not believed: the URL is the Host's
    String again = client.proof("GET", "https://public.example.com/orders", token).sign();
    invalidProof(send(security, "GET", "/orders", "192.0.2.7", forwarded, "DPoP " + token, again), "another URL (htu)");
  }

  @Test
  void rfc7239ForwardedHeaderFormsTheUrlWhenConfigured() {
    security = security(c -> c.clientIpHeader("forwarded"));
    String token = boundToken(client);
    Headers forwarded = Headers.of("Forwarded", "for=192.0.2.60;proto=https;host=\"Public.Example.com:443\"");
    String proof = client.proof("GET", "https://public.example.com/orders", token).sign();
    assertThat(send(security, "GET", "/orders", "10.1.2.3", forwarded, "DPoP " + token, proof))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void publicBaseUrlFormsTheUrlWhateverTheRequestSays() {
    security = security(c -> c.dpop(DpopConfig.builder().publicBaseUrl("https://gw.example.com/api/").build()));
    String token = boundToken(client);
    assertThat(dpop("GET", "/orders", token, client.proof("GET", "https://gw.example.com/api/orders", token).sign()))
        .isInstanceOf(Decision.Allow.class);
    invalidProof(dpop("GET", "/orders", token, client.proof("GET", URL, token).sign()), "another URL (htu)");
  }

  @Test
  void tlsRequestsAreHttpsUrls() {
    String token = boundToken(client);
    RequestView view = RequestView.builder().method("GET").target("/orders")
        .headers(Headers.of("Host", "api.example.com:443", "Authorization", "DPoP " + token,
            "DPoP", client.proof("GET", "https://api.example.com/orders", token).sign()))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .tls(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of()))
        .build();
    assertThat(security.evaluate(view).toCompletableFuture().join()).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void theProblemDocumentNamesTheReasonAndNeverEchoesTheProofOrToken() {
    String token = boundToken(client);
    String proof = client.proof("POST", URL, token).sign();
    Decision.Deny deny = invalidProof(dpop("GET", "/orders", token, proof), "another method");
    String body = new String(deny.body(), StandardCharsets.UTF_8);
    assertThat(deny.contentType()).isEqualTo("application/problem+json");
    assertThat(body).contains("\"type\":\"urn:apisec:problem:invalid-dpop-proof\"").contains("\"status\":401");
    for (String part : (proof + "." + token).split("\\.")) {
      if (part.length() > 8) {
        assertThat(body).doesNotContain(part);
        assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).doesNotContain(part);
      }
    }
  }

  @Test
  void reportOnlyJwtLetsAnInvalidProofPass() {
    security = security(c -> c.reportOnly("jwt"));
    String token = boundToken(client);
    assertThat(dpop("POST", "/orders", token, client.proof("GET", URL, token).sign())).isInstanceOf(Decision.Allow.class);
  }
}
