package io.apisec.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.BodyReader;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.config.ConfigLoader;
import io.apisec.config.ConfigNode;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway example's configuration, loaded as the gateway loads it (the core reads everything
 * but the {@code gateway:} section), with the routes and schemas derived from the OpenAPI document;
 * and the sample upstream it fronts.
 */
class GatewayOpenApiExampleIT {
  @TempDir static Path directory;
  static TestIssuer issuer;
  static TestKey key = TestKey.rsa("example-key");
  static ConfigLoader.Loaded loaded;
  static ApiSecurity security;

  @BeforeAll
  static void load() throws Exception {
    issuer = TestIssuer.start(Clock.systemUTC()).publish(key);
    Files.writeString(directory.resolve("gateway.yaml"),
        resource("/gateway.yaml").replace("http://127.0.0.1:8180/issuer", issuer.issuer()));
    Files.writeString(directory.resolve("orders-api.yaml"), resource("/orders-api.yaml"));
    loaded = ConfigLoader.load(directory.resolve("gateway.yaml"), Set.of("gateway"));
    security = ApiSecurity.builder(loaded.config()).auditToSystemLogger(false).build();
  }

  @AfterAll
  static void close() {
    security.close();
    issuer.close();
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = GatewayOpenApiExampleIT.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Decision evaluate(String method, String target, String token, String json) {
    Headers.Builder headers = Headers.builder();
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    RequestView.Builder request = RequestView.builder().method(method).target(target)
        .remoteAddress(new InetSocketAddress("127.0.0.1", 50000));
    if (json != null) {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      headers.add("Content-Type", "application/json").add("Content-Length", Integer.toString(body.length));
      request.body((BodyReader) max -> CompletableFuture.completedFuture(body));
    }
    return security.evaluate(request.headers(headers.build()).build())
        .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static String token() {
    return issuer.token(key).sign();
  }

  @Test
  void gatewaySectionIsLeftToTheGatewayAndNamesTheUpstream() {
    ConfigNode gateway = loaded.sections().get("gateway");
    assertThat(gateway).isNotNull();
    assertThat(gateway.require("upstream").require("url").string()).isEqualTo("http://127.0.0.1:9000");
  }

  private static String allowedRoute(String method, String target, String json) {
    Decision decision = evaluate(method, target, token(), json);
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    return ((Decision.Allow) decision).route();
  }

  @Test
  void everyOpenApiOperationBecomesARoute() {
    assertThat(allowedRoute("GET", "/orders/7", null)).isEqualTo("GET /orders/{id}");
    assertThat(allowedRoute("GET", "/orders?limit=10", null)).isEqualTo("GET /orders");
    assertThat(allowedRoute("POST", "/orders", "{\"item\":\"book\",\"qty\":2}")).isEqualTo("POST /orders");
  }

  @Test
  void validOrderWithATokenIsAllowed() {
    Decision decision = evaluate("POST", "/orders", token(), "{\"item\":\"book\",\"qty\":2,\"note\":null}");
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(decision.status()).isEqualTo(200);
  }

  @Test
  void orderBreakingTheSchemaIsDeniedWith400() {
    Decision decision = evaluate("POST", "/orders", token(), "{\"item\":\"book\",\"qty\":9}");
    assertThat(decision.status()).isEqualTo(400);
    assertThat(new String(((Decision.Deny) decision).body(), StandardCharsets.UTF_8))
        .contains("invalid-payload").contains("/qty");
  }

  @Test
  void propertyTheDocumentDoesNotDeclareIsDeniedInStrictMode() {
    Decision decision = evaluate("POST", "/orders", token(), "{\"item\":\"book\",\"qty\":1,\"isAdmin\":true}");
    assertThat(decision.status()).isEqualTo(400);
    assertThat(new String(((Decision.Deny) decision).body(), StandardCharsets.UTF_8)).contains("isAdmin");
  }

  @Test
  void pathParameterOfTheWrongTypeIsDeniedWith400() {
    Decision decision = evaluate("GET", "/orders/abc", token(), null);
    assertThat(decision.status()).isEqualTo(400);
    assertThat(new String(((Decision.Deny) decision).body(), StandardCharsets.UTF_8)).contains("invalid-parameter");
  }

  @Test
  void operationWithoutATokenIsDeniedWith401() {
    assertThat(evaluate("GET", "/orders/7", null, null).status()).isEqualTo(401);
  }

  @Test
  void pathOutsideTheDocumentIsDeniedWith404() {
    assertThat(evaluate("GET", "/admin", token(), null).status()).isEqualTo(404);
  }

  @Test
  void methodTheDocumentDoesNotDeclareIsDeniedWith405NamingTheAllowedOnes() {
    Decision decision = evaluate("DELETE", "/orders/7", token(), null);
    assertThat(decision.status()).isEqualTo(405);
    assertThat(decision.responseHeaders().firstOrNull("Allow")).isEqualTo("GET");
  }

  @Test
  void sampleUpstreamAnswersWithWhatItReceived() throws Exception {
    try (OrdersUpstream upstream = OrdersUpstream.start(0)) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/orders"))
              .header("X-Auth-Subject", "alice")
              .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"book\",\"qty\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.body()).contains("\"subject\":\"alice\"").contains("\"qty\":2");
    }
  }
}
