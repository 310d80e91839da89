package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.apisec.ApiSecurity;
import io.apisec.AuditEvent;
import io.apisec.DecisionListener;
import io.apisec.JsonLinesAuditLog;
import io.apisec.config.ConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response validation in the gateway, between a real client, the gateway and a real upstream on
 * loopback, whose {@code /users/2} leaks a field its OpenAPI contract does not declare.
 */
class ResponseValidationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = """
      openapi: 3.1.0
      info: {title: users, version: '1'}
      paths:
        /users/{id}:
          get:
            parameters:
              - {name: id, in: path, required: true, schema: {type: integer}}
            responses:
              '200':
                content:
                  application/json:
                    schema:
                      type: object
                      required: [id, name]
                      properties:
                        id: {type: integer}
                        name: {type: string}
                        bio: {type: string}
      """;
  private static final String LEAK = "{\"id\":2,\"name\":\"Bob\",\"passwordHash\":\"$2b$12$leakedHashValue\"}";

  @TempDir Path dir;
  private HttpServer upstream;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private Gateway gateway;
  private final List<String> audit = new CopyOnWriteArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
    executor.shutdownNow();
  }

  /** The upstream: {@code /users/1} valid, {@code /users/2} leaking, {@code /users/3} valid and chunked, {@code /users/4} large. */
  private void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    upstream.setExecutor(executor);
    upstream.createContext("/", this::answer);
    upstream.start();
  }

  private void answer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getPath().replaceFirst("^/raw", "");
    String body = switch (path) {
      case "/users/1" -> "{\"id\":1,\"name\":\"Ada\",\"bio\":\"caf\u00e9 \\u00e9\"}";
      case "/users/2" -> LEAK;
      case "/users/3" -> "{\"id\":3,\"name\":\"Cy\"}";
      case "/users/4" -> "{\"id\":4,\"name\":\"Di\",\"bio\":\"" + "x".repeat(4000) + "\",\"passwordHash\":\"$2b$leak\"}";
      default -> "{}";
    };
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().add("X-Upstream-Version", "7");
    exchange.getResponseHeaders().add("ETag", "\"v" + path.hashCode() + "\"");
    boolean chunked = path.equals("/users/3") || path.equals("/users/4");
    exchange.sendResponseHeaders(200, chunked ? 0 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (chunked) {
        for (int i = 0; i < bytes.length; i += 7) {
          out.write(bytes, i, Math.min(7, bytes.length - i));
          out.flush();
        }
      } else {
        out.write(bytes);
      }
    }
  }

  private void startGateway(String mode, String maxBody) throws IOException {
    startUpstream();
    Files.writeString(dir.resolve("users.yaml"), API);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        gateway:
          http: { host: 127.0.0.1, port: 0 }
          upstream: { url: http://127.0.0.1:%d, timeout: 5s }
          admin: { host: 127.0.0.1, port: 0 }
          watch-config: false
        response-validation:
          max-response-body: %s
        openapi:
          document: users.yaml
          auth: none
          response-validation: %s
        routes:
          - match: GET /raw/**
            auth: none
        """.formatted(upstream.getAddress().getPort(), maxBody, mode));
    ConfigLoader.Loaded loaded = ConfigLoader.load(file, Set.of("gateway"));
    GatewayConfig config = GatewayConfig.read(loaded.sections().get("gateway"), dir);
    JsonLinesAuditLog log = JsonLinesAuditLog.to(audit::add);
    ApiSecurity security = ApiSecurity.builder(loaded.config()).auditToSystemLogger(false)
        .listener(new DecisionListener() {
          @Override
          public void onDecision(AuditEvent event) {}

          @Override
          public void onResponseViolation(AuditEvent event) {
            log.onResponseViolation(event);
          }
        }).build();
    gateway = Gateway.start(security, config, new Metrics());
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Map<String, List<String>> comparable(HttpResponse<?> response) {
    Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
    headers.remove("date");
    headers.remove("x-request-id");
    return headers;
  }

  @Test
  void enforcingGatewayAnswersALeakWith502WithoutTheLeakedData() throws Exception {
    startGateway("enforce", "1MB");
    HttpResponse<byte[]> response = get("/users/2");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("x-upstream-version")).isEmpty();
    assertThat(response.headers().firstValue("etag")).isEmpty();
    assertThat(response.headers().allValues("x-request-id")).hasSize(1);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    JsonNode problem = JSON.readTree(body);
    assertThat(problem.path("type").asText()).isEqualTo("urn:apisec:problem:invalid-response");
    assertThat(problem.path("status").asInt()).isEqualTo(502);
    assertThat(problem.path("requestId").asText()).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
    assertThat(body).doesNotContain("passwordHash").doesNotContain("leakedHashValue").doesNotContain("Bob");
    assertThat(audit).singleElement().satisfies(line -> assertThat(line)
        .contains("\"outcome\":\"deny\"", "\"reason\":\"invalid-response\"", "/passwordHash")
        .doesNotContain("leakedHashValue"));
  }

  @Test
  void reportOnlyGatewayPassesTheLeakUnchangedAndAuditsTheFieldPathNotItsValue() throws Exception {
    startGateway("report-only", "1MB");
    HttpResponse<byte[]> response = get("/users/2");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(LEAK);
    assertThat(response.headers().firstValue("x-upstream-version")).hasValue("7");
    GatewayFixture.await(() -> !audit.isEmpty(), Duration.ofSeconds(5), "the violation is audited");
    assertThat(audit).singleElement().satisfies(line -> assertThat(line)
        .contains("\"outcome\":\"allow\"", "\"stage\":\"response\"", "/passwordHash",
            "\"shadowDenials\":[\"response:invalid-response\"]")
        .doesNotContain("leakedHashValue"));
  }

  @Test
  void passingResponsesAreByteIdenticalWithTheSameHeadersAndFraming() throws Exception {
    startGateway("enforce", "1MB");
    for (String user : List.of("/users/1", "/users/3")) {
      HttpResponse<byte[]> checked = get(user);
      HttpResponse<byte[]> unchecked = get("/raw" + user);
      assertThat(checked.statusCode()).isEqualTo(200);
      assertThat(checked.body()).isEqualTo(unchecked.body());
      assertThat(comparable(checked)).isEqualTo(comparable(unchecked));
    }
    assertThat(get("/users/3").headers().firstValue("content-length")).isEmpty(); // chunked stays chunked
    assertThat(audit).isEmpty();
  }

  @Test
  void aBodyOverTheBoundIsRefusedWhenEnforcing() throws Exception {
    startGateway("enforce", "1KB");
    HttpResponse<byte[]> response = get("/users/4");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("xxxx").doesNotContain("leak");
    assertThat(audit).singleElement().satisfies(line -> assertThat(line).contains("max-response-body"));
    assertThat(get("/users/1").statusCode()).isEqualTo(200); // the connection pool survived the dropped body
  }

  @Test
  void aBodyOverTheBoundPassesWholeAndUnvalidatedWhenReporting() throws Exception {
    startGateway("report-only", "1KB");
    HttpResponse<byte[]> response = get("/users/4");
    HttpResponse<byte[]> raw = get("/raw/users/4");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).hasSize(raw.body().length).isEqualTo(raw.body());
    GatewayFixture.await(() -> !audit.isEmpty(), Duration.ofSeconds(5), "the unvalidated body is audited");
    assertThat(audit).singleElement().satisfies(line -> assertThat(line).contains("max-response-body"));
  }
}
