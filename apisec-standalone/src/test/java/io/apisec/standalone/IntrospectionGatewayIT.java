package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apisec.testing.IntrospectionEndpoint;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Opaque tokens through the real gateway, checked against a real introspection endpoint on loopback
 * configured in YAML (client secret from a file): the identity reaches the upstream, an inactive
 * token is a 401 and an endpoint that is down a 503, and neither reaches the upstream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntrospectionGatewayIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ISSUER = "https://idp.example.com/";
  private IntrospectionEndpoint idp;
  private GatewayFixture fixture;

  @BeforeAll
  void start() throws Exception {
    idp = IntrospectionEndpoint.start(Clock.systemUTC()).expectBasic("gateway", "gw-secret");
    fixture = new GatewayFixture();
    Files.writeString(fixture.dir.resolve("introspection-secret.txt"), "gw-secret\n");
    String yaml = fixture.yaml("optional", "", "", "  - match: /api/**\n    auth: jwt\n    scopes: [read]\n")
        .replace("routes:\n", "jwt:\n  issuers:\n    - issuer: " + ISSUER + "\n      audiences: [api]\n"
            + "      introspection:\n"
            + "        endpoint: " + idp.url() + "\n"
            + "        client-id: gateway\n"
            + "        client-secret-file: introspection-secret.txt\n"
            + "        timeout: 1s\n"
            + "        negative-cache: 5s\n"
            + "routes:\n");
    fixture.start(yaml);
  }

  @AfterAll
  void stop() {
    fixture.close();
    idp.close();
  }

  @Test
  void anActiveOpaqueTokenReachesTheUpstreamWithItsIdentity() throws Exception {
    idp.activate("opaque-token-of-alice-0123456789", Map.of("sub", "alice", "scope", "read write", "aud", "api",
        "client_id", "cli-7", "exp", Instant.now().plusSeconds(3600).getEpochSecond()));
    HttpResponse<String> response = GatewayFixture.get(fixture.client(), fixture.https("/api/orders"),
        "Authorization", "Bearer opaque-token-of-alice-0123456789");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode headers = JSON.readTree(response.body()).get("headers");
    assertThat(headers.get("x-auth-subject").asText()).isEqualTo("alice");
    assertThat(headers.get("x-auth-client-id").asText()).isEqualTo("cli-7");
    assertThat(idp.refusedClients()).isZero();
  }

  @Test
  void anInactiveOpaqueTokenIs401AndNeverReachesTheUpstream() throws Exception {
    int calls = fixture.upstream.calls.get();
    HttpResponse<String> response = GatewayFixture.get(fixture.client(), fixture.https("/api/orders"),
        "Authorization", "Bearer opaque-token-nobody-issued-0123456789");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate").orElse("")).contains("error=\"invalid_token\"");
    assertThat(response.body()).doesNotContain("opaque-token-nobody-issued");
    assertThat(fixture.upstream.calls.get()).isEqualTo(calls);
  }

  @Test
  void anUnknownTokenWhileTheEndpointIsDownIs503WithRetryAfter() throws Exception {
    idp.takeDown();
    try {
      int calls = fixture.upstream.calls.get();
      HttpResponse<String> response = GatewayFixture.get(fixture.client(), fixture.https("/api/orders"),
          "Authorization", "Bearer opaque-token-while-down-0123456789");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.headers().firstValue("retry-after")).isPresent();
      assertThat(response.body()).doesNotContain("gw-secret");
      assertThat(fixture.upstream.calls.get()).isEqualTo(calls);
    } finally {
      idp.bringUp();
    }
  }
}
