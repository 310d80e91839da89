package io.apisec.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apisec.ApiSecurity;
import io.apisec.AuditEvent;
import io.apisec.DecisionListener;
import io.apisec.JsonLinesAuditLog;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.TestPki;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Response validation through the servlet filter in a real container: {@code /users/{id}} enforces
 * the OpenAPI contract, {@code /report/users/{id}} only reports, {@code /raw/**} is not validated;
 * the application leaks {@code passwordHash} on user 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServletResponseValidationContract {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String API = """
      openapi: 3.0.3
      info: {title: users, version: '1'}
      paths:
        /users/{id}:
          get:
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
  static final String LEAK = "{\"id\":2,\"name\":\"Bob\",\"passwordHash\":\"$2b$12$leakedHashValue\"}";

  final TestPki.Issued ca = TestPki.rootCa("Test Root");
  final TestPki.Issued server = TestPki.localhostServer(ca);
  final TestPki.Issued client = TestPki.spec("client-1").clientAuth().issuedBy(ca);
  final List<String> audit = new CopyOnWriteArrayList<>();
  final ExecutorService asyncWriters = Executors.newSingleThreadExecutor();
  HttpClient http;
  ApiSecurity security;
  int port;

  abstract int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, HttpServlet servlet) throws Exception;

  abstract void stop() throws Exception;

  @BeforeAll
  void startContainer() throws Exception {
    Path dir = Files.createTempDirectory("apisec-servlet-responses");
    Files.writeString(dir.resolve("users.yaml"), API);
    var config = ConfigLoader.parseYaml("""
        response-validation:
          max-response-body: 1KB
        openapi:
          document: users.yaml
          auth: none
          response-validation: enforce
        routes:
          - match: GET /report/users/{id}
            auth: none
            operation: users.yaml#/paths/~1users~1{id}/get
            response-validation: report-only
          - match: GET /raw/**
            auth: none
        """, dir);
    JsonLinesAuditLog log = JsonLinesAuditLog.to(audit::add);
    security = ApiSecurity.builder(config).auditToSystemLogger(false).listener(new DecisionListener() {
      @Override
      public void onDecision(AuditEvent event) {}

      @Override
      public void onResponseViolation(AuditEvent event) {
        log.onResponseViolation(event);
      }
    }).build();
    http = HttpClient.newBuilder().sslContext(TestPki.clientContext(client, ca.certificate()))
        .connectTimeout(Duration.ofSeconds(5)).build();
    port = start(security, server, ca.certificate(), new UsersServlet(asyncWriters));
  }

  @AfterAll
  void stopContainer() throws Exception {
    stop();
    security.close();
    asyncWriters.shutdownNow();
  }

  @BeforeEach
  void forget() {
    audit.clear();
  }

  HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Map<String, List<String>> comparable(HttpResponse<?> response) {
    Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
    headers.remove("date");
    headers.remove("x-request-id");
    return headers;
  }

  private void assertRefusedWithoutTheLeak(HttpResponse<byte[]> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(response.headers().firstValue("x-app")).isEmpty();
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(JSON.readTree(body).path("type").asText()).isEqualTo("urn:apisec:problem:invalid-response");
    assertThat(body).doesNotContain("passwordHash").doesNotContain("leakedHashValue").doesNotContain("Bob");
  }

  @Test
  void aLeakWrittenThroughTheWriterIsA502WithoutTheLeakedData() throws Exception {
    assertRefusedWithoutTheLeak(get("/users/2"));
    assertThat(audit).singleElement().satisfies(line -> assertThat(line)
        .contains("\"outcome\":\"deny\"", "/passwordHash").doesNotContain("leakedHashValue"));
  }

  @Test
  void aLeakWrittenFromAnAsyncThreadIsA502WhenTheApplicationCompletes() throws Exception {
    assertRefusedWithoutTheLeak(get("/users/12"));
    assertThat(audit).singleElement().satisfies(line -> assertThat(line).contains("/passwordHash"));
  }

  @Test
  void aBodyOverTheBoundIsA502EvenThoughTheApplicationFlushed() throws Exception {
    assertRefusedWithoutTheLeak(get("/users/5"));
    assertThat(audit).singleElement().satisfies(line -> assertThat(line).contains("max-response-body"));
  }

  @Test
  void reportOnlyPassesTheLeakUnchangedAndAuditsTheFieldPath() throws Exception {
    HttpResponse<byte[]> response = get("/report/users/2");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(LEAK);
    assertThat(response.headers().firstValue("x-app")).hasValue("users");
    assertThat(audit).singleElement().satisfies(line -> assertThat(line)
        .contains("\"outcome\":\"allow\"", "\"shadowDenials\":[\"response:invalid-response\"]", "/passwordHash")
        .doesNotContain("leakedHashValue"));
  }

  @Test
  void reportOnlyPassesABodyOverTheBoundWhole() throws Exception {
    HttpResponse<byte[]> reported = get("/report/users/5");
    HttpResponse<byte[]> raw = get("/raw/users/5");

    assertThat(reported.statusCode()).isEqualTo(200);
    assertThat(reported.body()).isEqualTo(raw.body());
    assertThat(audit).singleElement().satisfies(line -> assertThat(line).contains("max-response-body"));
  }

  @Test
  void passingResponsesAreByteIdenticalWithTheSameHeaders() throws Exception {
    for (String user : List.of("/users/1", "/users/3", "/users/11", "/users/13")) {
      HttpResponse<byte[]> checked = get(user);
      HttpResponse<byte[]> unchecked = get("/raw" + user);
      assertThat(checked.statusCode()).as(user).isEqualTo(200);
      assertThat(checked.body()).as(user).isEqualTo(unchecked.body());
      assertThat(comparable(checked)).as(user).isEqualTo(comparable(unchecked));
    }
    assertThat(audit).isEmpty();
  }

  @Test
  void aResponseTheContainerMakesWithSendErrorPassesUnvalidated() throws Exception {
    HttpResponse<byte[]> response = get("/users/404");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(audit).isEmpty();
  }

  /**
   * The application: user 1 through the stream with a length, 2 (the leak) and 3 through the
   * writer (3 flushing midway), 5 larger than the bound in flushed pieces, 11-13 the same as
   * 1-3 from an async thread.
   */
  static final class UsersServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient ExecutorService writers;

    UsersServlet(ExecutorService writers) {
      this.writers = writers;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String uri = request.getRequestURI();
      int id = Integer.parseInt(uri.substring(uri.lastIndexOf('/') + 1));
      if (id == 404) {
        response.sendError(404, "no such user");
        return;
      }
      response.setHeader("X-App", "users");
      response.setContentType("application/json");
      if (id > 10) {
        AsyncContext async = request.startAsync();
        writers.execute(() -> {
          try {
            write(id - 10, (HttpServletResponse) async.getResponse());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          } finally {
            async.complete();
          }
        });
        return;
      }
      write(id, response);
    }

    private static void write(int id, HttpServletResponse response) throws IOException {
      switch (id) {
        case 1 -> {
          byte[] body = "{\"id\":1,\"name\":\"Ada\",\"bio\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
          response.setContentLength(body.length);
          response.getOutputStream().write(body);
        }
        case 2 -> response.getWriter().write(LEAK);
        case 3 -> {
          PrintWriter out = response.getWriter();
          out.write("{\"id\":3,");
          out.flush();
          response.flushBuffer();
          out.write("\"name\":\"Cy\"}");
        }
        default -> {
          var out = response.getOutputStream();
          out.write(("{\"id\":5,\"name\":\"Di\",\"passwordHash\":\"leak\",\"bio\":\"").getBytes(StandardCharsets.UTF_8));
          for (int i = 0; i < 8; i++) {
            out.write("x".repeat(500).getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
          out.write("\"}".getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }
}
