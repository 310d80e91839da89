package io.apisec.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.DpopClient;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DPoP (RFC 9449) end to end through the servlet filter in embedded Jetty over real HTTPS: a
 * bound token with its proof reaches the servlet; a replayed proof and a bound token sent as
 * Bearer get 401 with a {@code WWW-Authenticate: DPoP} challenge and a problem document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyDpopIT {
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";

  private final TestPki.Issued ca = TestPki.rootCa("Test Root");
  private final TestPki.Issued server = TestPki.localhostServer(ca);
  private final MutableClock clock = MutableClock.now();
  private final TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
  private final DpopClient client = DpopClient.es256(clock);
  private final EchoServlet echo = new EchoServlet();
  private ApiSecurity security;
  private ServletContainers.Running jetty;
  private HttpClient http;

  @BeforeAll
  void start() throws Exception {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .jwt(JwtConfig.builder()
            .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
            .build())
        .route(Route.builder("GET,POST /orders").build())
        .build();
    security = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    jetty = ServletContainers.jetty(security, echo, server.keyStore(), TestPki.trustStore(ca.certificate()));
    http = HttpClient.newBuilder().sslContext(TestPki.clientContext(null, ca.certificate()))
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stop() throws Exception {
    jetty.stopper().close();
    security.close();
  }

  private String url() {
    return "https://localhost:" + jetty.port() + "/orders";
  }

  private String boundToken() {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("cnf", client.cnf()).sign();
  }

  private HttpResponse<String> get(String authorization, String proof) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url())).timeout(Duration.ofSeconds(10))
        .header("Authorization", authorization);
    if (proof != null) {
      request.header("DPoP", proof);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void boundTokenWithItsProofReachesTheServletAndAReplayIsRefusedWithADpopChallenge() throws Exception {
    String token = boundToken();
    String proof = client.proof("GET", url(), token).sign();
    echo.served.clear();
    HttpResponse<String> ok = get("DPoP " + token, proof);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(echo.served).containsExactly("/orders");

    HttpResponse<String> replay = get("DPoP " + token, proof);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.headers().allValues("WWW-Authenticate")).singleElement().asString()
        .startsWith("DPoP algs=\"ES256 ES384 PS256 RS256 EdDSA\", error=\"invalid_dpop_proof\"")
        .contains("used before");
    assertThat(replay.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(replay.body()).contains("\"type\":\"urn:apisec:problem:invalid-dpop-proof\"").contains("\"status\":401")
        .doesNotContain(proof.substring(proof.lastIndexOf('.') + 1));
    assertThat(echo.served).containsExactly("/orders");
  }

  @Test
  void proofForAnotherUrlIsRefused() throws Exception {
    String token = boundToken();
    HttpResponse<String> response = get("DPoP " + token,
        client.proof("GET", "https://localhost:1/orders", token).sign());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("another URL (htu)");
  }

  @Test
  void boundTokenSentAsBearerIsRefusedWithADpopChallenge() throws Exception {
    HttpResponse<String> response = get("Bearer " + boundToken(), null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
        v -> assertThat(v).startsWith("DPoP algs=").contains("error=\"invalid_token\""));
    assertThat(response.body()).contains("\"type\":\"urn:apisec:problem:invalid-token\"");
  }
}
