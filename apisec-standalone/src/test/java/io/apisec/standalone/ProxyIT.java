package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The proxy's behaviour between a real client, the gateway and a real upstream, all on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private GatewayFixture fixture;
  private HttpClient client;

  @BeforeAll
  void start() throws Exception {
    fixture = new GatewayFixture().startDefault();
    client = fixture.client();
  }

  @AfterAll
  void stop() {
    fixture.close();
  }

  @Test
  void allowedRequestReachesTheUpstreamWithForwardingHeadersAndTheRequestId() throws Exception {
    HttpResponse<String> response = GatewayFixture.get(client, fixture.https("/public/hello?x=1"), "X-Request-ID", "proxy-it-1");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echo = JSON.readTree(response.body());
    assertThat(echo.get("uri").asText()).isEqualTo("/public/hello?x=1");
    JsonNode headers = echo.get("headers");
    assertThat(headers.get("x-request-id").asText()).isEqualTo("proxy-it-1");
    assertThat(headers.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
    assertThat(headers.get("x-forwarded-proto").asText()).isEqualTo("https");
    assertThat(headers.get("x-forwarded-host").asText()).isEqualTo("localhost:" + fixture.gateway.httpsPort());
    assertThat(headers.get("forwarded").asText())
        .isEqualTo("for=127.0.0.1;proto=https;host=\"localhost:" + fixture.gateway.httpsPort() + "\"");
    assertThat(headers.get("x-client-ip").asText()).isEqualTo("127.0.0.1");
    assertThat(response.headers().firstValue("x-request-id")).hasValue("proxy-it-1");
    assertThat(response.headers().firstValue("strict-transport-security")).isPresent();
  }

  @Test
  void spoofedIdentityAndForwardingHeadersFromTheClientNeverReachTheUpstream() throws Exception {
    HttpResponse<String> response = GatewayFixture.get(client, fixture.https("/public/spoof"),
        "X-Auth-Subject", "admin", "X-Auth-Scopes", "everything", "X-Client-Cert-Subject", "CN=root",
        "X-Client-Cert-Sha256", "forged", "X-Client-IP", "10.0.0.1",
        "X-Forwarded-For", "10.9.9.9", "Forwarded", "for=10.9.9.9", "X-Forwarded-Host", "evil.example");

    JsonNode headers = JSON.readTree(response.body()).get("headers");
    assertThat(headers.has("x-auth-subject")).isFalse();
    assertThat(headers.has("x-auth-scopes")).isFalse();
    assertThat(headers.has("x-client-cert-subject")).isFalse();
    assertThat(headers.has("x-client-cert-sha256")).isFalse();
    assertThat(headers.get("x-client-ip").asText()).isEqualTo("127.0.0.1");
    assertThat(headers.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
    assertThat(headers.get("forwarded").asText()).startsWith("for=127.0.0.1;");
    assertThat(headers.get("x-forwarded-host").asText()).isEqualTo("localhost:" + fixture.gateway.httpsPort());
  }

  @Test
  void expectContinueOnThePlainListenerIsAnsweredWith100AndNeverForwardedUpstream() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.gateway.httpPort())) {
      socket.setSoTimeout(10_000); // the deadline for each answer
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();

      String interim = GatewayFixture.readResponse(socket.getInputStream());
      assertThat(interim).startsWith("HTTP/1.1 100");
      out.write("hello".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      out.flush();
      String response = GatewayFixture.readResponse(socket.getInputStream());

      assertThat(response).startsWith("HTTP/1.1 200");
      JsonNode echo = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
      assertThat(echo.get("body").asText()).isEqualTo("hello");
      assertThat(echo.get("headers").has("expect")).as("the upstream sees no Expect field").isFalse();
    }
  }

  @Test
  void hopByHopHeadersAreRemovedBothWays() throws Exception {
    String raw = fixture.rawHttps("GET /hop/x HTTP/1.1\r\nHost: localhost\r\n"
        + "Connection: close, X-Client-Secret\r\nX-Client-Secret: s3cret\r\nKeep-Alive: timeout=99\r\n"
        + "TE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nUpgrade: h2c\r\n\r\n");

    String head = raw.substring(0, raw.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
    JsonNode headers = JSON.readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4)).get("headers");
    assertThat(head).startsWith("http/1.1 200");
    assertThat(headers.has("x-client-secret")).isFalse();
    assertThat(headers.has("keep-alive")).isFalse();
    assertThat(headers.has("te")).isFalse();
    assertThat(headers.has("proxy-authorization")).isFalse();
    assertThat(headers.has("upgrade")).isFalse();
    assertThat(head).doesNotContain("x-upstream-secret").doesNotContain("keep-alive")
        .doesNotContain("\nserver:").doesNotContain("x-powered-by");
    assertThat(head).contains("x-content-type-options: nosniff").doesNotContain("upstream-value");
  }

  @Test
  void upstreamDownIs502ProblemDocument() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    try (GatewayFixture down = new GatewayFixture()) {
      String yaml = down.yaml("none", "", "", GatewayFixture.ROUTES)
          .replace("url: http://127.0.0.1:" + down.upstream.port(), "url: http://127.0.0.1:" + closedPort);
      down.start(yaml);
      HttpResponse<String> response = GatewayFixture.get(down.client(), down.https("/public/x"), "X-Request-ID", "down-1");

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
      JsonNode problem = JSON.readTree(response.body());
      assertThat(problem.get("type").asText()).isEqualTo("urn:apisec:problem:upstream-unavailable");
      assertThat(problem.get("status").asInt()).isEqualTo(502);
      assertThat(problem.get("requestId").asText()).isEqualTo("down-1");
      assertThat(down.gateway.metrics().count("apisec_upstream_errors_total", "kind=\"unavailable\"")).isEqualTo(1);
    }
  }

  @Test
  void upstreamResettingConnectionsIs502AndTheGatewayServesOn() throws Exception {
    try (ServerSocket resetting = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         GatewayFixture reset = new GatewayFixture()) {
      Thread acceptor = new Thread(() -> {
        while (!resetting.isClosed()) {
          try (java.net.Socket socket = resetting.accept()) {
            socket.getInputStream().read(new byte[1024]);
            socket.setSoLinger(true, 0); // close with a TCP reset instead of a FIN
          } catch (java.io.IOException closed) {
            // the listening socket closed at the end of the test
          }
        }
      }, "resetting-upstream");
      acceptor.setDaemon(true);
      acceptor.start();
      String yaml = reset.yaml("none", "", "", GatewayFixture.ROUTES)
          .replace("url: http://127.0.0.1:" + reset.upstream.port(), "url: http://127.0.0.1:" + resetting.getLocalPort());
      reset.start(yaml);
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> response = GatewayFixture.get(reset.client(), reset.https("/public/r" + i), "X-Request-ID", "reset-" + i);
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(502);
        assertThat(problem.get("requestId").asText()).isEqualTo("reset-" + i);
      }
      // the last exchange is counted out when its response has ended, just after the client saw it
      io.apisec.testing.TestIssuer.await(() -> reset.gateway.inFlight() == 0, "no request left in flight");
    }
  }

  @Test
  void slowUpstreamIs504AfterTheTimeout() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = GatewayFixture.get(client, fixture.https("/slow/1"), "X-Request-ID", "slow-1");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(response.statusCode()).isEqualTo(504);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:apisec:problem:upstream-timeout");
    assertThat(problem.get("requestId").asText()).isEqualTo("slow-1");
    assertThat(millis).isBetween(1500L, 10_000L); // the configured timeout is 2s
    fixture.upstream.releaseSlow();
  }

  @Test
  void largeBodyStreamsToTheUpstreamIntact() throws Exception {
    String body = "0123456789abcdef".repeat(64 * 1024); // 1 MiB, streamed: no stage reads it
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(fixture.https("/upload")))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("body").asText()).isEqualTo(body);
  }

  @Test
  void http2ClientsAreServedThroughAlpn() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().sslContext(fixture.clientTls(false)).version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> response = GatewayFixture.get(h2, fixture.https("/public/h2"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }

  @Test
  void webSocketUpgradeIsAuthorisedThenPassedThrough() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    io.vertx.core.http.HttpServer wsUpstream = Gateway.await(vertx.createHttpServer()
        .webSocketHandler(socket -> socket.textMessageHandler(text -> socket.writeTextMessage("echo:" + text)))
        .listen(0, "127.0.0.1"));
    try (GatewayFixture ws = new GatewayFixture()) {
      String yaml = ws.yaml("none", "", "", GatewayFixture.ROUTES)
          .replace("url: http://127.0.0.1:" + ws.upstream.port(), "url: http://127.0.0.1:" + wsUpstream.actualPort());
      ws.start(yaml);
      HttpClient wsClient = HttpClient.newBuilder().sslContext(ws.clientTls(false)).build();
      CompletableFuture<String> reply = new CompletableFuture<>();
      WebSocket socket = wsClient.newWebSocketBuilder().buildAsync(URI.create("wss://localhost:" + ws.gateway.httpsPort() + "/ws/chat"),
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
              reply.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      socket.sendText("hello", true).get(10, TimeUnit.SECONDS);

      assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo:hello");
      socket.abort();

      // a WebSocket upgrade on a path no route allows is refused before it reaches the upstream
      CompletableFuture<WebSocket> refused = wsClient.newWebSocketBuilder()
          .buildAsync(URI.create("wss://localhost:" + ws.gateway.httpsPort() + "/private/chat"), new WebSocket.Listener() {});
      assertThat(refused).failsWithin(Duration.ofSeconds(10));
    } finally {
      Gateway.await(vertx.close());
    }
  }

  @Test
  void plainHttpListenerServesWithoutHsts() throws Exception {
    HttpResponse<String> response = GatewayFixture.get(client, fixture.http("/public/plain"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("headers").get("x-forwarded-proto").asText()).isEqualTo("http");
    assertThat(response.headers().firstValue("strict-transport-security")).isEmpty();
  }

  @Test
  void adminListenerAnswersHealthReadinessAndMetrics() throws Exception {
    String admin = "http://127.0.0.1:" + fixture.gateway.adminPort();
    GatewayFixture.get(client, fixture.https("/public/for-metrics"));

    assertThat(GatewayFixture.get(client, admin + "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = GatewayFixture.get(client, admin + "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"upstream\":\"reachable\"");
    HttpResponse<String> metrics = GatewayFixture.get(client, admin + "/metrics");
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
    assertThat(metrics.body()).contains("# TYPE apisec_requests_total counter")
        .contains("apisec_decisions_total{outcome=\"allow\"")
        .contains("apisec_decision_duration_seconds_bucket{outcome=\"allow\",le=\"+Inf\"}")
        .contains("apisec_upstream_responses_total{code=\"2xx\"}");
    assertThat(Files.exists(fixture.config)).isTrue();
  }
}
