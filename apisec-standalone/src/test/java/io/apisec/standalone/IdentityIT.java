package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The verified identity travels upstream in the configured headers, and only there: from a token
 * (JWT stage with a JWKS served on loopback) and from a client certificate (mTLS stage).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ECKey key = DevTokens.generateKey();
  private HttpServer issuer;
  private GatewayFixture fixture;
  private String issuerUri;

  @BeforeAll
  void start() throws Exception {
    issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    byte[] jwks = DevTokens.jwks(key).getBytes(StandardCharsets.UTF_8);
    issuer.createContext("/jwks.json", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    issuer.start();
    issuerUri = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/";
    fixture = new GatewayFixture();
    String routes = "  - match: /api/**\n    auth: jwt\n    scopes: [read]\n"
        + "  - match: /partner/**\n    auth: mtls\n";
    String yaml = fixture.yaml("optional", "", "", routes)
        .replace("routes:\n", "jwt:\n  issuers:\n    - issuer: " + issuerUri + "\n      jwks-uri: " + issuerUri + "jwks.json\n"
            + "      audiences: [api]\n      algorithms: [ES256]\n"
            + "mtls:\n  trust-anchors: [ca.pem]\n"
            + "routes:\n");
    fixture.start(yaml);
  }

  @AfterAll
  void stop() {
    fixture.close();
    issuer.stop(0);
  }

  @Test
  void tokenIdentityReachesTheUpstreamAndForgedIdentityHeadersDoNot() throws Exception {
    String token = DevTokens.mint(key, issuerUri, "alice", List.of("api"), "read write", Duration.ofMinutes(5),
        Map.of("client_id", "cli-7"), Instant.now());
    HttpResponse<String> response = GatewayFixture.get(fixture.client(), fixture.https("/api/orders"),
        "Authorization", "Bearer " + token, "X-Auth-Subject", "mallory", "X-Client-Cert-Subject", "CN=forged");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode headers = JSON.readTree(response.body()).get("headers");
    assertThat(headers.get("x-auth-subject").asText()).isEqualTo("alice");
    assertThat(headers.get("x-auth-scopes").asText()).isEqualTo("read write");
    assertThat(headers.get("x-auth-client-id").asText()).isEqualTo("cli-7");
    assertThat(headers.has("x-client-cert-subject")).isFalse();
  }

  @Test
  void missingTokenIs401AndNeverReachesTheUpstream() throws Exception {
    int calls = fixture.upstream.calls.get();
    HttpResponse<String> response = GatewayFixture.get(fixture.client(), fixture.https("/api/orders"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate").orElse("")).startsWith("Bearer");
    assertThat(fixture.upstream.calls.get()).isEqualTo(calls);
  }

  @Test
  void certificateIdentityReachesTheUpstream() throws Exception {
    HttpClient withCertificate = HttpClient.newBuilder().sslContext(fixture.clientTls(true))
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = GatewayFixture.get(withCertificate, fixture.https("/partner/x"),
        "X-Client-Cert-Sha256", "forged");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode headers = JSON.readTree(response.body()).get("headers");
    assertThat(headers.get("x-client-cert-subject").asText()).contains("CN=test-client");
    assertThat(headers.get("x-client-cert-sha256").asText()).isNotEqualTo("forged").matches("[A-Za-z0-9_-]{43}");
    assertThat(GatewayFixture.get(fixture.client(), fixture.https("/partner/x")).statusCode()).isEqualTo(401);
  }

  @Test
  void readinessReportsTheKeySet() throws Exception {
    String admin = "http://127.0.0.1:" + fixture.gateway.adminPort();
    GatewayFixture.get(fixture.client(), fixture.https("/api/warm"));
    HttpResponse<String> ready = GatewayFixture.get(HttpClient.newHttpClient(), admin + "/readyz");

    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("jwks:" + issuerUri);
    assertThat(GatewayFixture.get(HttpClient.newHttpClient(), admin + "/metrics").body())
        .contains("apisec_component_up{component=\"jwks:" + issuerUri + "\"} 1");
  }
}
