package io.apisec.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apisec.ApiSecurity;
import io.apisec.Attributes;
import io.apisec.AuthMode;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.testing.TestPki;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every adapter must show, with the same expected statuses, headers and bodies.
 *
 * <p>A subclass starts its framework's HTTPS server (client auth "want") around the given {@link
 * ApiSecurity}, with the {@link EchoApplication} behind it, on a single event loop where the
 * framework has one, and returns its port. Everything else lives here, so an adapter that differs
 * from the others fails. Cases for the stages (JWT, mTLS, schema, rate limits) join this class as
 * those stages land; the routes and the kit's stand-in stage below are where they plug in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AdapterConformanceKit {
  /** The limit of the {@code upload} route, which the kit's stage reads the body of. */
  protected static final int UPLOAD_LIMIT = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TestPki.Issued SERVER_CA = TestPki.rootCa("conformance server CA");
  private static final TestPki.Issued CLIENT_CA = TestPki.rootCa("conformance client CA");
  private static final TestPki.Issued CLIENT =
      TestPki.spec("conformance-client").organization("Acme").clientAuth().issuedBy(CLIENT_CA);

  private static final java.time.Clock CLOCK = java.time.Clock.systemUTC();
  private static final io.apisec.testing.TestIssuer ISSUER = io.apisec.testing.TestIssuer.start(CLOCK);
  private static final io.apisec.testing.TestKey KEY = io.apisec.testing.TestKey.rsa("conformance-1");
  private static final java.nio.file.Path CLIENT_CA_PEM;
  private static final String ITEM_SCHEMA = "{\"type\":\"object\",\"required\":[\"sku\"],"
      + "\"properties\":{\"sku\":{\"type\":\"string\"},\"quantity\":{\"type\":\"integer\",\"minimum\":1}}}";
  /** The capacity of the {@code limited} route's policy, per minute. */
  protected static final int LIMIT = 3;

  static {
    ISSUER.publish(KEY);
    try {
      CLIENT_CA_PEM = TestPki.writePem(java.nio.file.Files.createTempFile("conformance-client-ca", ".pem"), CLIENT_CA.certificate());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A running server under test. */
  public record RunningServer(int port, AutoCloseable stopper) {}

  private final EchoApplication app = new EchoApplication();
  private final AtomicInteger bodiesRead = new AtomicInteger();
  private final AtomicInteger slowArrivals = new AtomicInteger();
  private volatile CompletableFuture<Void> slowGate = CompletableFuture.completedFuture(null);
  private ApiSecurity security;
  private RunningServer server;
  private SSLContext clientTls;
  private HttpClient client;

  /** Starts the adapter's HTTPS server with {@code security} in front of {@code app}. */
  protected abstract RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception;

  /**
   * Whether a container parses HTTP before the adapter sees anything (a servlet container): such a
   * container may itself refuse a malformed request with its own 400 body, or resolve
   * Content-Length beside Transfer-Encoding the RFC 9112 way (the coding wins). The status, and
   * that the application is never reached by an ambiguous path, hold all the same.
   */
  protected boolean containerParsesHttpFirst() {
    return false;
  }

  /** Fails when the framework reported a blocked event loop; adapters without a checker keep this. */
  protected void assertEventLoopNeverBlocked() {}

  /** The configuration every adapter runs; stage cases add their routes here. */
  protected ApiSecurityConfig configuration() {
    return ApiSecurityConfig.builder()
        .limits(new ApiSecurityConfig.RequestLimits(30, 4096, 2048, 1024 * 1024))
        .route(Route.builder("GET /public/**").name("public").auth(AuthMode.NONE).build())
        .route(Route.builder("GET,POST /admin/**").name("admin").auth(AuthMode.NONE).build())
        .route(Route.builder("POST /upload").name("upload").auth(AuthMode.NONE).maxBody(UPLOAD_LIMIT).build())
        .route(Route.builder("POST /notes").name("notes").auth(AuthMode.NONE).build())
        .route(Route.builder("GET /slow").name("slow").auth(AuthMode.NONE).build())
        .jwt(io.apisec.config.JwtConfig.builder().issuer(io.apisec.config.JwtConfig.Issuer.builder(ISSUER.issuer())
            .jwksUri(ISSUER.jwksUri()).algorithms("RS256").audiences("conformance")
            // refetch at once on an unknown key, so the slow-fetch case need not wait out the default interval
            .refresh(new io.apisec.config.JwtConfig.Refresh(Duration.ofMillis(10), Duration.ofHours(1), Duration.ofHours(6),
                Duration.ofSeconds(20), Duration.ofMillis(10)))
            .build()).build())
        .mtls(io.apisec.config.MtlsSettings.builder().trustAnchors(CLIENT_CA_PEM).build())
        .rateLimit(io.apisec.ratelimit.RateLimitPolicy.builder("tight").limit(LIMIT, Duration.ofMinutes(1)).key("ip").build())
        .route(Route.builder("GET /orders/**").name("orders").auth(AuthMode.JWT).scopes("orders:read").build())
        .route(Route.builder("GET /partner/**").name("partner").auth(AuthMode.MTLS).build())
        .route(Route.builder("GET /partner-spiffe").name("partner-spiffe").auth(AuthMode.MTLS)
            .allowCertificate("spiffe://partners.example/*").build())
        .route(Route.builder("POST /items").name("items").auth(AuthMode.NONE).schema(ITEM_SCHEMA).strictSchema(true).build())
        .route(Route.builder("GET /limited").name("limited").auth(AuthMode.NONE).rateLimits("tight").build())
        .route(Route.builder("POST /documents").name("documents").auth(AuthMode.JWT).scopes("orders:write")
            .schema(ITEM_SCHEMA).build())
        .build();
  }

  /**
   * The kit's stand-in stage: refuses every request to {@code admin} (as an authorization stage
   * would), reads the body of {@code upload} up to its limit (as the payload stage will), and holds
   * {@code slow} until a test releases it from another thread (as a slow JWKS fetch would).
   */
  private CompletionStage<Decision> standIn(Stage.Chain chain) {
    Route route = chain.attributes().getOrNull(Attributes.ROUTE);
    switch (route.name()) {
      case "admin":
        return CompletableFuture.completedFuture(
            Decision.deny(DenyReason.FORBIDDEN, "The conformance stand-in refuses every admin request"));
      case "slow":
        slowArrivals.incrementAndGet();
        if ("deny".equals(chain.request().rawQuery())) {
          return slowGate.thenApply(v -> Decision.deny(DenyReason.FORBIDDEN, "The slow stand-in refused it"));
        }
        return slowGate.thenCompose(v -> chain.proceed());
      case "upload":
        return readBody(chain, route.maxBody());
      default:
        return chain.proceed();
    }
  }

  private CompletionStage<Decision> readBody(Stage.Chain chain, long limit) {
    String declared = chain.request().headers().firstOrNull("content-length");
    if (declared != null && Long.parseLong(declared) > limit) {
      return CompletableFuture.completedFuture(tooLarge(limit));
    }
    return chain.request().body(limit).handle((body, failure) -> {
      if (failure == null) {
        bodiesRead.incrementAndGet();
        return chain.proceed();
      }
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof BodyTooLargeException) {
        return CompletableFuture.<Decision>completedFuture(tooLarge(limit));
      }
      return CompletableFuture.<Decision>failedFuture(cause);
    }).thenCompose(next -> next);
  }

  private static Decision tooLarge(long limit) {
    return Decision.deny(DenyReason.PAYLOAD_TOO_LARGE, "The body exceeds " + limit + " bytes");
  }

  @BeforeAll
  void startServer() throws Exception {
    ApiSecurity.Builder builder = ApiSecurity.builder(configuration()).auditToSystemLogger(false);
    security = builder.stage(this::standIn).build();
    TestPki.Issued serverCertificate = TestPki.localhostServer(SERVER_CA);
    server = start(security, new ServerTls(serverCertificate, CLIENT_CA.certificate()), app);
    clientTls = TestPki.clientContext(CLIENT, SERVER_CA.certificate());
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(clientTls)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterEach
  void eventLoopWasNeverBlocked() {
    assertEventLoopNeverBlocked();
  }

  @AfterAll
  void stopServer() throws Exception {
    slowGate.complete(null);
    if (server != null) {
      server.stopper().close();
    }
    if (security != null) {
      security.close();
    }
  }

  // ---- allowed and denied

  @Test
  void allowedRequestReachesTheApplicationWithItsRequestIdPassedOn() throws Exception {
    int before = app.calls();
    RawHttps.Response response = get("/public/hello", "X-Request-ID", "conformance-1");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header(EchoApplication.METHOD)).isEqualTo("GET");
    assertThat(response.header(EchoApplication.PATH)).isEqualTo("/public/hello");
    assertThat(response.header(EchoApplication.REQUEST_ID)).isEqualTo("conformance-1");
    assertThat(response.header("x-request-id")).isEqualTo("conformance-1");
    assertThat(app.calls()).isEqualTo(before + 1);
  }

  @Test
  void allowedRequestCarriesTheVerifiedIdentityToTheApplication() throws Exception {
    RawHttps.Response response = get("/public/who");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header(EchoApplication.CLIENT_IP)).isEqualTo("127.0.0.1");
    assertThat(response.header(EchoApplication.PRINCIPAL)).isEqualTo("(anonymous)");
  }

  @Test
  void deniedRequestGetsAProblemDocumentAndNeverReachesTheApplication() throws Exception {
    int before = app.calls();
    RawHttps.Response response = get("/admin/users", "X-Request-ID", "conformance-2");

    JsonNode problem = assertProblem(response, 403, "forbidden");
    assertThat(problem.get("requestId").asText()).isEqualTo("conformance-2");
    assertThat(problem.get("detail").asText()).isEqualTo("The conformance stand-in refuses every admin request");
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void requestMatchingNoRouteIsA404ProblemDocument() throws Exception {
    int before = app.calls();
    assertProblem(get("/nowhere"), 404, "no-route");
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void wrongMethodIsA405NamingTheAllowedMethods() throws Exception {
    RawHttps.Response response = send("DELETE", "/public/hello", HttpRequest.BodyPublishers.noBody());

    assertProblem(response, 405, "method-not-allowed");
    assertThat(response.header("allow")).contains("GET");
  }

  // ---- request hygiene

  @ParameterizedTest
  @ValueSource(strings = {
      "/public/..%2Fadmin/users", "/public/%2e%2e/admin/users", "/public/%2E%2E/admin/users",
      "/public/../admin/users", "//admin/users", "/public//admin", "/public/./hello",
      "/admin;x=1/users", "/public;/../admin/users", "/public/%00", "/public/a%00b",
      "/public/%c0%af..%c0%afadmin", "/public\\..\\admin\\users", "/public/%5C..%5Cadmin", "/public/%252e"})
  void ambiguousPathIsRefusedBeforeRouteMatching(String target) throws Exception {
    int before = app.calls();
    RawHttps.Response response = raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(app.calls()).isEqualTo(before);
    if (containerParsesHttpFirst() && !String.valueOf(response.header("content-type")).startsWith("application/problem+json")) {
      assertThat(response.status()).as("the container's own refusal of %s", target).isEqualTo(400);
      return;
    }
    assertProblem(response, 400, "ambiguous-path");
  }

  @Test
  void trailingSlashIsProtectedExactlyLikeThePathWithout() throws Exception {
    assertProblem(get("/admin/users/"), 403, "forbidden");
    assertThat(get("/public/hello/").status()).isEqualTo(200);
  }

  @Test
  void percentEncodedLettersAreDecodedBeforeRouteMatching() throws Exception {
    int before = app.calls();
    RawHttps.Response response =
        raw("GET /%61dmin/users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertProblem(response, 403, "forbidden");
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void tooManyHeaderFieldsAre431() throws Exception {
    List<String> headers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      headers.add("X-Filler-" + i);
      headers.add("v");
    }
    assertProblem(get("/public/hello", headers.toArray(new String[0])), 431, "headers-too-large");
  }

  @Test
  void headerBytesOverTheLimitAre431() throws Exception {
    assertProblem(get("/public/hello", "X-Big", "b".repeat(5000)), 431, "headers-too-large");
  }

  @Test
  void headerTooLargeForTheServersCodecStillGetsAProblemDocument() throws Exception {
    int before = app.calls();
    RawHttps.Response response = raw("GET /public/hello HTTP/1.1\r\nHost: localhost\r\nX-Huge: "
        + "h".repeat(12 * 1024) + "\r\nConnection: close\r\n\r\n");

    assertThat(app.calls()).isEqualTo(before);
    if (containerParsesHttpFirst() && !String.valueOf(response.header("content-type")).startsWith("application/problem+json")) {
      assertThat(response.status()).as("the container's own refusal").isIn(400, 431);
      return;
    }
    assertProblem(response, 400, "bad-request");
  }

  @Test
  void contentLengthTogetherWithTransferEncodingIs400() throws Exception {
    int before = app.calls();
    RawHttps.Response response = raw("POST /notes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n");

    if (containerParsesHttpFirst() && response.status() != 400) {
      // the container dropped Content-Length and read the chunked body: one reading, never two
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEmpty();
      return;
    }
    if (containerParsesHttpFirst() && !String.valueOf(response.header("content-type")).startsWith("application/problem+json")) {
      assertThat(app.calls()).isEqualTo(before);
      return;
    }
    assertProblem(response, 400, "bad-framing");
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void malformedChunkedBodyNeverReachesTheApplication() throws Exception {
    int before = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send("POST /notes HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n");
      boolean answeredOrClosed;
      try {
        answeredOrClosed = connection.read().status() >= 400 || connection.closedByServer();
      } catch (java.io.IOException closed) {
        answeredOrClosed = true;
      }
      assertThat(answeredOrClosed).isTrue();
    }
    assertThat(app.calls()).isEqualTo(before);
  }

  // ---- request id and security headers

  @Test
  void missingRequestIdIsGeneratedReturnedAndPassedOn() throws Exception {
    RawHttps.Response response = get("/public/hello");

    assertThat(response.header("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(response.header(EchoApplication.REQUEST_ID)).isEqualTo(response.header("x-request-id"));
  }

  @Test
  void invalidRequestIdIsReplacedByAGeneratedOne() throws Exception {
    RawHttps.Response response = get("/public/hello", "X-Request-ID", "not valid!");

    assertThat(response.header("x-request-id")).matches("[0-9a-f]{32}");
    assertThat(response.header(EchoApplication.REQUEST_ID)).isEqualTo(response.header("x-request-id"));
  }

  @Test
  void allowedResponsesCarryTheSecurityHeaders() throws Exception {
    RawHttps.Response response = get("/public/hello");

    assertThat(response.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(response.header("strict-transport-security")).isEqualTo("max-age=31536000");
  }

  // ---- bodies

  @Test
  void bodyOverTheLimitWithContentLengthIs413BeforeTheBodyIsSent() throws Exception {
    int before = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: " + (UPLOAD_LIMIT * 4) + "\r\n\r\n");
      assertProblem(connection.read(), 413, "payload-too-large");
      assertThat(connection.closedByServer()).isTrue();
    }
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void chunkedBodyIs413OnceItCrossesTheLimit() throws Exception {
    int before = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      String chunk = "200\r\n" + "x".repeat(512) + "\r\n";
      try {
        for (int i = 0; i < 8; i++) {
          connection.send(chunk);
        }
      } catch (java.io.IOException closedEarly) {
        // the server may answer and close before every chunk is written; the answer is what counts
      }
      // the terminating chunk is never sent: the answer must come from crossing the limit
      assertProblem(connection.read(), 413, "payload-too-large");
    }
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void bodyReadByAStageReachesTheApplicationIntact() throws Exception {
    byte[] body = pattern(UPLOAD_LIMIT);
    int readBefore = bodiesRead.get();
    RawHttps.Response response = send("POST", "/upload", HttpRequest.BodyPublishers.ofByteArray(body));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(bodiesRead.get()).isEqualTo(readBefore + 1);
  }

  @Test
  void chunkedBodyReadByAStageReachesTheApplicationIntact() throws Exception {
    byte[] body = pattern(900);
    StringBuilder request = new StringBuilder("POST /upload HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (int offset = 0; offset < body.length; offset += 300) {
      request.append("12c\r\n").append(new String(body, offset, 300, StandardCharsets.ISO_8859_1)).append("\r\n");
    }
    request.append("0\r\n\r\n");
    RawHttps.Response response = raw(request.toString());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void bodyNoStageReadStillReachesTheApplication() throws Exception {
    byte[] body = pattern(64 * 1024);
    int readBefore = bodiesRead.get();
    RawHttps.Response response = send("POST", "/notes", HttpRequest.BodyPublishers.ofByteArray(body));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(body);
    assertThat(bodiesRead.get()).isEqualTo(readBefore);
  }

  // ---- connections

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send("GET /public/one HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /admin/two HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "POST /notes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nthree"
          + "GET /public/four HTTP/1.1\r\nHost: localhost\r\n\r\n");
      RawHttps.Response one = connection.read();
      RawHttps.Response two = connection.read();
      RawHttps.Response three = connection.read();
      RawHttps.Response four = connection.read();

      assertThat(one.header(EchoApplication.PATH)).isEqualTo("/public/one");
      assertProblem(two, 403, "forbidden");
      assertThat(three.bodyText()).isEqualTo("three");
      assertThat(four.header(EchoApplication.PATH)).isEqualTo("/public/four");
    }
  }

  @Test
  void slowEvaluationDoesNotHoldUpOtherRequestsAndCompletesFromAnotherThread() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    slowGate = gate;
    int arrivalsBefore = slowArrivals.get();
    CompletableFuture<HttpResponse<byte[]>> slow = client.sendAsync(
        request("/slow").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    awaitCondition(() -> slowArrivals.get() > arrivalsBefore, "the slow request reached its stage");

    for (int i = 0; i < 20; i++) {
      assertThat(get("/public/meanwhile-" + i).status()).isEqualTo(200);
    }
    assertThat(slow).isNotDone();

    CompletableFuture.runAsync(() -> gate.complete(null), runnable -> new Thread(runnable, "releaser").start());
    HttpResponse<byte[]> released = slow.get(10, TimeUnit.SECONDS);
    assertThat(released.statusCode()).isEqualTo(200);
    assertThat(released.headers().firstValue(EchoApplication.PATH)).hasValue("/slow");
    assertThat(released.headers().firstValue("x-content-type-options")).hasValue("nosniff");
  }

  @Test
  void denialCompletedOnAnotherThreadIsAnsweredAndTheConnectionServesOn() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    slowGate = gate;
    int arrivalsBefore = slowArrivals.get();
    int callsBefore = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send("GET /slow?deny HTTP/1.1\r\nHost: localhost\r\n\r\n");
      awaitCondition(() -> slowArrivals.get() > arrivalsBefore, "the slow request reached its stage");
      new Thread(() -> gate.complete(null), "releaser").start();

      assertProblem(connection.read(), 403, "forbidden");
      connection.send("GET /public/after HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(connection.read().header(EchoApplication.PATH)).isEqualTo("/public/after");
    }
    assertThat(app.calls()).isEqualTo(callsBefore + 1);
  }

  // ---- the stages, for real

  private String token(String scope) {
    return ISSUER.token(KEY).claim("aud", "conformance").claim("sub", "alice").claim("scope", scope)
        .expiresIn(Duration.ofMinutes(5)).sign();
  }

  @Test
  void validTokenReachesTheApplicationWithItsSubject() throws Exception {
    RawHttps.Response response = get("/orders/7", "Authorization", "Bearer " + token("orders:read"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header(EchoApplication.PRINCIPAL)).isEqualTo("alice");
  }

  @Test
  void missingTokenIs401WithABareBearerChallenge() throws Exception {
    RawHttps.Response response = get("/orders/7");

    assertProblem(response, 401, "token-required");
    assertThat(response.header("www-authenticate")).isEqualTo("Bearer realm=\"api\"");
  }

  @Test
  void expiredOrForgedTokenIs401InvalidTokenWithoutEchoingIt() throws Exception {
    String expired = ISSUER.token(KEY).claim("aud", "conformance").claim("scope", "orders:read")
        .expiresIn(Duration.ofMinutes(-10)).sign();
    RawHttps.Response response = get("/orders/7", "Authorization", "Bearer " + expired);
    assertProblem(response, 401, "invalid-token");
    assertThat(response.header("www-authenticate")).startsWith("Bearer realm=\"api\", error=\"invalid_token\"");
    assertThat(response.bodyText()).doesNotContain(expired.substring(expired.lastIndexOf('.') + 1));

    String forged = token("orders:read");
    forged = forged.substring(0, forged.lastIndexOf('.') + 1) + "AAAA" + forged.substring(forged.lastIndexOf('.') + 5);
    assertProblem(get("/orders/7", "Authorization", "Bearer " + forged), 401, "invalid-token");
  }

  @Test
  void tokenWithoutTheScopeIs403InsufficientScope() throws Exception {
    RawHttps.Response response = get("/orders/7", "Authorization", "Bearer " + token("profile"));

    assertProblem(response, 403, "insufficient-scope");
    assertThat(response.header("www-authenticate")).contains("error=\"insufficient_scope\"").contains("scope=\"orders:read\"");
  }

  @Test
  void clientCertificateIdentityReachesTheApplication() throws Exception {
    RawHttps.Response response = get("/partner/catalog");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header(EchoApplication.PRINCIPAL)).contains("CN=conformance-client");
  }

  @Test
  void mtlsRouteWithoutAClientCertificateIs401() throws Exception {
    HttpClient anonymous = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(TestPki.clientContext(null, SERVER_CA.certificate())).connectTimeout(Duration.ofSeconds(5)).build();
    int before = app.calls();
    RawHttps.Response response = toRaw(anonymous.send(request("/partner/catalog").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray()));

    assertProblem(response, 401, "certificate-required");
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void certificateOutsideTheRoutesAllowListIs403() throws Exception {
    assertProblem(get("/partner-spiffe"), 403, "certificate-refused");
  }

  @Test
  void schemaViolationsAre400WithTheirPointers() throws Exception {
    int before = app.calls();
    HttpRequest request = request("/items").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":5,\"quantity\":0,\"admin\":true}")).build();
    RawHttps.Response response = toRaw(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));

    JsonNode problem = assertProblem(response, 400, "invalid-payload");
    List<String> pointers = new ArrayList<>();
    problem.get("errors").forEach(error -> pointers.add(error.get("pointer").asText()));
    assertThat(pointers).contains("/sku", "/quantity", "/admin");
    assertThat(app.calls()).isEqualTo(before);

    HttpRequest valid = request("/items").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"a-1\",\"quantity\":2}")).build();
    RawHttps.Response allowed = toRaw(client.send(valid, HttpResponse.BodyHandlers.ofByteArray()));
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.bodyText()).isEqualTo("{\"sku\":\"a-1\",\"quantity\":2}");
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpRequest request = request("/items").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("sku=a")).build();
    RawHttps.Response response = toRaw(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));

    assertProblem(response, 415, "unsupported-media-type");
    assertThat(response.header("accept-post")).contains("application/json");
  }

  // ---- Expect: 100-continue

  @Test
  void expectContinueIsAnsweredWith100OnceTheChecksPassThenTheBodyReachesTheApplication() throws Exception {
    String body = "{\"sku\":\"a-1\",\"quantity\":2}";
    int before = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send(expectContinue("Authorization: Bearer " + token("orders:write") + "\r\n", body.length()));

      RawHttps.Response interim;
      try {
        interim = connection.read(); // bounded by the connection's read timeout
      } catch (java.net.SocketTimeoutException noAnswer) {
        throw new AssertionError("no 100 Continue within the read timeout after the headers alone", noAnswer);
      }
      assertThat(interim.status()).as("the interim response to the headers alone").isEqualTo(100);
      assertThat(app.calls()).isEqualTo(before);
      connection.send(body);
      RawHttps.Response response = connection.read();

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo(body);
      assertThat(response.header(EchoApplication.PRINCIPAL)).isEqualTo("alice");
    }
  }

  @Test
  void expectContinueWithoutATokenGetsAFinal401WithoutA100AndTheConnectionCloses() throws Exception {
    int before = app.calls();
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send(expectContinue("", 64 * 1024));

      // the first response line must be the final one: a 100 would invite the upload
      RawHttps.Response response = connection.read();
      assertProblem(response, 401, "token-required");
      assertThat(connection.endsWithin(Duration.ofSeconds(5)))
          .as("the server closes the connection whose body it never invited").isTrue();
    }
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send(expectContinue("Authorization: Bearer not.a.token\r\n", 64 * 1024));

      assertProblem(connection.read(), 401, "invalid-token");
      assertThat(connection.endsWithin(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void expectContinueRefusedByItsMediaTypeOrDeclaredLengthGetsNo100() throws Exception {
    String token = "Authorization: Bearer " + token("orders:write") + "\r\n";
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send(expectContinue("text/plain", token, 64));

      assertProblem(connection.read(), 415, "unsupported-media-type");
      assertThat(connection.endsWithin(Duration.ofSeconds(5))).isTrue();
    }
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      connection.send(expectContinue("application/json", token, 4 * 1024 * 1024));

      assertProblem(connection.read(), 413, "payload-too-large");
      assertThat(connection.endsWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  /** The head of a JSON POST to {@code documents} that waits for 100 Continue before its body. */
  private static String expectContinue(String extraHeaders, int contentLength) {
    return expectContinue("application/json", extraHeaders, contentLength);
  }

  private static String expectContinue(String contentType, String extraHeaders, int contentLength) {
    return "POST /documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n"
        + "Content-Length: " + contentLength + "\r\nExpect: 100-continue\r\n" + extraHeaders + "\r\n";
  }

  @Test
  void rateLimitHeadersCountDownAndTheLimitIs429WithRetryAfter() throws Exception {
    List<RawHttps.Response> responses = new ArrayList<>();
    for (int i = 0; i < LIMIT; i++) {
      responses.add(get("/limited"));
    }
    for (RawHttps.Response r : responses) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("ratelimit-policy")).contains("\"tight\"").contains("q=" + LIMIT);
    }
    assertThat(responses.get(0).header("ratelimit")).contains("r=" + (LIMIT - 1));
    assertThat(responses.get(LIMIT - 1).header("ratelimit")).contains("r=0");
    int before = app.calls();
    RawHttps.Response refused = get("/limited");
    assertProblem(refused, 429, "rate-limited");
    assertThat(Integer.parseInt(refused.header("retry-after"))).isPositive();
    assertThat(app.calls()).isEqualTo(before);
  }

  @Test
  void aSlowKeyFetchHoldsOnlyItsOwnRequest() throws Exception {
    io.apisec.testing.TestKey rotated = io.apisec.testing.TestKey.rsa("conformance-rotated-" + getClass().getSimpleName());
    ISSUER.publish(KEY, rotated).mode(io.apisec.testing.TestIssuer.Mode.STALL);
    try {
      String token = ISSUER.token(rotated).claim("aud", "conformance").claim("sub", "bob").claim("scope", "orders:read")
          .expiresIn(Duration.ofMinutes(5)).sign();
      int fetches = ISSUER.jwksFetches();
      CompletableFuture<HttpResponse<byte[]>> held = client.sendAsync(
          request("/orders/1").header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      awaitCondition(() -> ISSUER.jwksFetches() > fetches, "the unknown key started a JWKS fetch");
      for (int i = 0; i < 10; i++) {
        assertThat(get("/public/meanwhile-" + i).status()).isEqualTo(200);
      }
      assertThat(held).isNotDone();
      ISSUER.mode(io.apisec.testing.TestIssuer.Mode.SERVE);
      ISSUER.releaseStalled();
      HttpResponse<byte[]> released = held.get(20, TimeUnit.SECONDS);
      assertThat(released.statusCode()).isEqualTo(200);
      assertThat(released.headers().firstValue(EchoApplication.PRINCIPAL)).hasValue("bob");
    } finally {
      ISSUER.mode(io.apisec.testing.TestIssuer.Mode.SERVE);
      ISSUER.releaseStalled();
    }
  }

  // ---- helpers for subclasses and cases

  /** Asserts the problem document and the denial headers, returning the parsed document. */
  protected static JsonNode assertProblem(RawHttps.Response response, int status, String slug) throws Exception {
    assertThat(response.status()).as("status of %s", response.bodyText()).isEqualTo(status);
    assertThat(response.header("content-type")).startsWith("application/problem+json");
    assertThat(response.header("cache-control")).isEqualTo("no-store");
    assertThat(response.header("x-content-type-options")).isEqualTo("nosniff");
    assertThat(response.header("strict-transport-security")).isEqualTo("max-age=31536000");
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:apisec:problem:" + slug);
    assertThat(problem.get("title").asText()).isNotBlank();
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("detail").asText()).isNotBlank();
    assertThat(problem.get("requestId").asText()).isEqualTo(response.header("x-request-id")).isNotBlank();
    return problem;
  }

  protected static void awaitCondition(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10));
  }

  private RawHttps.Response get(String path, String... headers) throws Exception {
    HttpRequest.Builder builder = request(path).GET();
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return toRaw(client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray()));
  }

  private RawHttps.Response send(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
    HttpRequest request = request(path).method(method, body).header("Content-Type", "application/octet-stream").build();
    return toRaw(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
  }

  private RawHttps.Response raw(String request) throws Exception {
    try (RawHttps connection = new RawHttps(clientTls, server.port())) {
      try {
        connection.send(request);
      } catch (java.io.IOException closedEarly) {
        // the server may answer and close before reading all of a bad request; the answer counts
      }
      return connection.read();
    }
  }

  private static RawHttps.Response toRaw(HttpResponse<byte[]> response) {
    Map<String, List<String>> headers = new java.util.TreeMap<>();
    response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values));
    return new RawHttps.Response(response.statusCode(), headers, response.body());
  }

  private static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    return bytes;
  }

}
