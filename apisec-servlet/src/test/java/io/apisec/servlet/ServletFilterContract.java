package io.apisec.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the servlet filter must do in every container, over real HTTPS with a client certificate:
 * each container's test starts its server around the filter and the echo servlet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServletFilterContract {
  static final String ADMIN_KEY = "open-sesame";

  final TestPki.Issued ca = TestPki.rootCa("Test Root");
  final TestPki.Issued server = TestPki.localhostServer(ca);
  final TestPki.Issued client = TestPki.spec("client-1").clientAuth().issuedBy(ca);
  final EchoServlet echo = new EchoServlet();
  final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
  SSLContext withCertificate;
  ApiSecurity security;
  int port;

  /** Starts the container on 127.0.0.1 with TLS (client certificates wanted, trusted from {@code clientCa}). */
  abstract int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, EchoServlet echo) throws Exception;

  abstract void stop() throws Exception;

  @BeforeAll
  void startContainer() throws Exception {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("GET /public/**").auth(AuthMode.NONE).build())
        .route(Route.builder("GET,POST /admin/**").auth(AuthMode.NONE).build())
        .route(Route.builder("POST /echo").auth(AuthMode.NONE).maxBody(1024).build())
        .route(Route.builder("GET /tls").auth(AuthMode.NONE).build())
        .route(Route.builder("GET /slow").auth(AuthMode.NONE).build())
        .build();
    security = ApiSecurity.builder(config).auditToSystemLogger(false).stage(this::testChecks).build();
    withCertificate = TestPki.clientContext(client, ca.certificate());
    port = start(security, server, ca.certificate(), echo);
  }

  /** Stands in for the stages being built elsewhere: a protected subtree, a body limit, TLS facts, a slow check. */
  private CompletableFuture<Decision> testChecks(Stage.Chain chain) {
    String route = chain.attributes().get(io.apisec.Attributes.ROUTE).map(Route::name).orElse("");
    if (route.startsWith("GET,POST /admin") && !ADMIN_KEY.equals(chain.request().headers().firstOrNull("x-admin-key"))) {
      return CompletableFuture.completedFuture(Decision.deny(DenyReason.FORBIDDEN, "admin needs the key"));
    }
    if (route.equals("POST /echo")) {
      return chain.request().body(1024).toCompletableFuture()
          .handle((body, failure) -> failure == null ? null
              : failure instanceof BodyTooLargeException || failure.getCause() instanceof BodyTooLargeException
                  ? Decision.deny(DenyReason.PAYLOAD_TOO_LARGE, "The body exceeds 1024 bytes")
                  : Decision.deny(DenyReason.BAD_REQUEST, "unreadable body"))
          .thenCompose(denial -> denial != null ? CompletableFuture.completedFuture(denial) : chain.proceed().toCompletableFuture());
    }
    if (route.equals("GET /tls")) {
      TlsInfo tls = chain.request().tls().orElse(null);
      boolean ok = tls != null && tls.protocol().startsWith("TLS") && !tls.cipherSuite().isEmpty()
          && tls.hasPeerCertificate()
          && tls.peerChain().get(0).getSubjectX500Principal().getName().equals("CN=client-1");
      return ok ? chain.proceed().toCompletableFuture()
          : CompletableFuture.completedFuture(Decision.deny(DenyReason.CERTIFICATE_REQUIRED, "TLS facts missing"));
    }
    if (route.equals("GET /slow")) {
      CompletableFuture<Void> delay = new CompletableFuture<>();
      later.schedule(() -> delay.complete(null), 200, TimeUnit.MILLISECONDS);
      return delay.thenCompose(v -> chain.proceed());
    }
    return chain.proceed().toCompletableFuture();
  }

  @AfterAll
  void stopContainer() throws Exception {
    stop();
    later.shutdownNow();
  }

  @BeforeEach
  void forget() {
    echo.served.clear();
  }

  HttpClient client() {
    return HttpClient.newBuilder().sslContext(withCertificate).connectTimeout(Duration.ofSeconds(5)).build();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client().send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("https://localhost:" + port + path);
  }

  @Test
  void allowedRequestReachesTheServletWithRequestIdAndIdentity() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/public/hello")).header("X-Request-ID", "req-42"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(echo.served).containsExactly("/public/hello");
    assertThat(response.headers().firstValue("X-Echo-Request-Id")).hasValue("req-42");
    assertThat(response.headers().firstValue("X-Request-ID")).hasValue("req-42");
    assertThat(response.headers().firstValue("X-Echo-Client-Ip")).hasValue("127.0.0.1");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
  }

  @Test
  void tlsFactsAndThePeerCertificateReachThePipeline() throws Exception {
    assertThat(send(HttpRequest.newBuilder(uri("/tls"))).statusCode()).isEqualTo(200);
    HttpClient anonymous = HttpClient.newBuilder().sslContext(TestPki.clientContext(null, ca.certificate())).build();
    HttpResponse<String> without = anonymous.send(HttpRequest.newBuilder(uri("/tls")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(without.statusCode()).isEqualTo(401);
  }

  @Test
  void deniedRequestGetsTheProblemDocumentAndNeverReachesTheServlet() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/admin/users")));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    String id = response.headers().firstValue("X-Request-ID").orElseThrow();
    assertThat(response.body()).isEqualTo("{\"type\":\"urn:apisec:problem:forbidden\",\"title\":\"Forbidden\",\"status\":403,"
        + "\"detail\":\"admin needs the key\",\"requestId\":\"" + id + "\"}");
    assertThat(echo.served).isEmpty();
    assertThat(send(HttpRequest.newBuilder(uri("/admin/users")).header("X-Admin-Key", ADMIN_KEY)).statusCode()).isEqualTo(200);
  }

  @Test
  void unmatchedRouteIsDeniedWith404AndWrongMethodWith405() throws Exception {
    assertThat(send(HttpRequest.newBuilder(uri("/nowhere"))).statusCode()).isEqualTo(404);
    HttpResponse<String> delete = send(HttpRequest.newBuilder(uri("/admin/x")).DELETE());
    assertThat(delete.statusCode()).isEqualTo(405);
    assertThat(delete.headers().firstValue("Allow")).hasValue("GET, POST");
    assertThat(echo.served).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/public/../admin/users", "/public/%2e%2e/admin/users", "/public/%2E%2E/admin/users", "/public/..%2Fadmin/users",
      "/public/..%2fadmin/users", "/public/.%2e/admin/users", "//admin/users", "/public//../admin/users",
      "/public/%2e%2e%2fadmin/users", "/public%2F..%2Fadmin/users", "/public\\..\\admin/users", "/public/..%5Cadmin/users",
      "/admin;x=1/users", "/public/..;/admin/users", "/admin/users%00", "/public/%00/../admin/users",
      "/public/%c0%ae%c0%ae/admin/users", "/public/%c0%af..%c0%afadmin/users", "/public/%252e%252e/admin/users",
      "/admin/users/", "/admin/",
  })
  void pathTricksNeverReachTheProtectedServletUnchecked(String target) throws Exception {
    RawHttps.Response response = RawHttps.get(withCertificate, port, target);
    assertThat(response.status()).as(target).isIn(400, 403, 404);
    assertThat(echo.served).as(target).noneMatch(p -> p.contains("admin"));
  }

  @Test
  void bodyConsumedByACheckIsReplayedToTheServlet() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/echo"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":\"world\"}")).header("Content-Type", "application/json"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"hello\":\"world\"}");
  }

  @Test
  void oversizedBodyIsRefusedWith413WithOrWithoutContentLength() throws Exception {
    String big = "x".repeat(5000);
    HttpResponse<String> withLength = send(HttpRequest.newBuilder(uri("/echo")).POST(HttpRequest.BodyPublishers.ofString(big)));
    assertThat(withLength.statusCode()).isEqualTo(413);
    RawHttps.Response chunked = RawHttps.send(withCertificate, port,
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "400\r\n" + "y".repeat(1024) + "\r\n400\r\n" + "y".repeat(1024) + "\r\n0\r\n\r\n");
    assertThat(chunked.status()).isEqualTo(413);
    assertThat(chunked.header("content-type")).startsWith("application/problem+json");
    assertThat(echo.served).isEmpty();
  }

  /**
   * Whether the container itself resolves Content-Length + Transfer-Encoding (RFC 9112 section
   * 6.3: the coding wins and Content-Length is dropped) before any filter sees the request.
   */
  boolean containerDropsContentLengthBesideTransferEncoding() {
    return false;
  }

  @Test
  void conflictingFramingIsRefusedOrResolvedOneWayBeforeTheServlet() throws Exception {
    RawHttps.Response response = RawHttps.send(withCertificate, port,
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "4\r\nabcd\r\n0\r\n\r\n");
    if (containerDropsContentLengthBesideTransferEncoding()) {
      // the container already chose the chunked reading; the servlet sees exactly that body
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("abcd");
    } else {
      assertThat(response.status()).isEqualTo(400);
      assertThat(echo.served).isEmpty();
    }
  }

  @Test
  void slowCheckReleasesTheContainerThreadAndStillAnswers() throws Exception {
    HttpClient http = client();
    var responses = new java.util.ArrayList<CompletableFuture<HttpResponse<String>>>();
    for (int i = 0; i < 20; i++) {
      responses.add(http.sendAsync(HttpRequest.newBuilder(uri("/slow")).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertThat(r.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(echo.served).hasSize(20);
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
