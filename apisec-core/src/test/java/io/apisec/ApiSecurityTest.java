package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.config.ApiSecurityConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiSecurityTest {
  private final List<AuditEvent> events = new ArrayList<>();

  private ApiSecurity security(ApiSecurityConfig config, Stage... stages) {
    ApiSecurity.Builder builder = ApiSecurity.builder(config).auditToSystemLogger(false).listener(events::add);
    for (Stage stage : stages) {
      builder.stage(stage);
    }
    return builder.build();
  }

  private static ApiSecurityConfig publicRoutes() {
    return ApiSecurityConfig.builder()
        .route(Route.builder("GET /public/**").auth(AuthMode.NONE).build())
        .route(Route.builder("GET,POST /v1/items").auth(AuthMode.NONE).build())
        .build();
  }

  private static RequestView.Builder get(String target) {
    return RequestView.builder().method("GET").target(target)
        .remoteAddress(new InetSocketAddress("127.0.0.1", 50000));
  }

  private static Decision decide(ApiSecurity security, RequestView request) {
    return security.evaluate(request).toCompletableFuture().join();
  }

  @Test
  void allowedRequestCarriesRequestIdAndSecurityHeaders() {
    Decision decision = decide(security(publicRoutes()), get("/public/a").build());
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(decision.requestId()).matches("[0-9a-f]{32}");
    assertThat(decision.responseHeaders().firstOrNull("x-request-id")).isEqualTo(decision.requestId());
    assertThat(decision.responseHeaders().firstOrNull("x-content-type-options")).isEqualTo("nosniff");
    assertThat(decision.responseHeaders().contains("strict-transport-security")).isFalse();
    assertThat(((Decision.Allow) decision).upstreamHeaders().firstOrNull("x-request-id")).isEqualTo(decision.requestId());
  }

  @Test
  void hstsIsSentOverTls() {
    RequestView request = get("/public/a").tls(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of())).build();
    Decision decision = decide(security(publicRoutes()), request);
    assertThat(decision.responseHeaders().firstOrNull("strict-transport-security")).isEqualTo("max-age=31536000");
  }

  @Test
  void wellFormedRequestIdIsKeptAndMalformedOneReplaced() {
    ApiSecurity security = security(publicRoutes());
    Decision kept = decide(security, get("/public/a").headers(Headers.of("X-Request-ID", "abc-123")).build());
    assertThat(kept.requestId()).isEqualTo("abc-123");
    Decision replaced = decide(security, get("/public/a").headers(Headers.of("X-Request-ID", "bad id\"<>")).build());
    assertThat(replaced.requestId()).matches("[0-9a-f]{32}");
  }

  @Test
  void ambiguousPathIsDeniedWith400ProblemDocument() {
    Decision decision = decide(security(publicRoutes()), get("/public/..%2Fadmin").build());
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.status()).isEqualTo(400);
    assertThat(deny.contentType()).isEqualTo("application/problem+json");
    String body = new String(deny.body(), StandardCharsets.UTF_8);
    assertThat(body).startsWith("{\"type\":\"urn:apisec:problem:ambiguous-path\",\"title\":\"Ambiguous request path\",\"status\":400,");
    assertThat(body).contains("\"requestId\":\"" + deny.requestId() + "\"");
    assertThat(deny.responseHeaders().firstOrNull("cache-control")).isEqualTo("no-store");
  }

  @Test
  void unmatchedPathIsDeniedWith404AndWrongMethodWith405() {
    ApiSecurity security = security(publicRoutes());
    assertThat(decide(security, get("/admin").build()).status()).isEqualTo(404);
    Decision wrongMethod = decide(security, RequestView.builder().method("DELETE").target("/v1/items").build());
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.responseHeaders().firstOrNull("allow")).isEqualTo("GET, POST");
  }

  @Test
  void defaultAllowLetsUnmatchedRequestsPassWhenAcceptedAsRisky() {
    ApiSecurityConfig config = ApiSecurityConfig.builder().defaultAllow(true).allowRisky("default-allow").build();
    assertThat(decide(security(config), get("/anything").build())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void conflictingFramingIsDenied() {
    Decision both = decide(security(publicRoutes()),
        get("/public/a").headers(Headers.of("Content-Length", "5", "Transfer-Encoding", "chunked")).build());
    assertThat(both.status()).isEqualTo(400);
    assertThat(((Decision.Deny) both).reason()).isEqualTo(DenyReason.BAD_FRAMING);
    Decision twoLengths = decide(security(publicRoutes()),
        get("/public/a").headers(Headers.of("Content-Length", "5", "Content-Length", "6")).build());
    assertThat(((Decision.Deny) twoLengths).reason()).isEqualTo(DenyReason.BAD_FRAMING);
    Decision gzip = decide(security(publicRoutes()),
        get("/public/a").headers(Headers.of("Transfer-Encoding", "gzip, chunked")).build());
    assertThat(((Decision.Deny) gzip).reason()).isEqualTo(DenyReason.BAD_FRAMING);
  }

  @Test
  void tooManyHeadersAreDeniedWith431() {
    Headers.Builder headers = Headers.builder();
    for (int i = 0; i < 101; i++) {
      headers.add("x-h" + i, "v");
    }
    assertThat(decide(security(publicRoutes()), get("/public/a").headers(headers.build()).build()).status()).isEqualTo(431);
  }

  @Test
  void stageDenialStopsTheChainAndIsAttributed() {
    AtomicInteger later = new AtomicInteger();
    Stage deny = chain -> CompletableFuture.completedFuture(Decision.deny(DenyReason.FORBIDDEN, "no"));
    Stage count = chain -> {
      later.incrementAndGet();
      return chain.proceed();
    };
    Decision decision = decide(security(publicRoutes(), deny, count), get("/public/a").build());
    assertThat(decision.status()).isEqualTo(403);
    assertThat(later).hasValue(0);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.outcome()).isEqualTo("deny");
      assertThat(e.stage()).isEqualTo("custom");
      assertThat(e.reason()).isEqualTo("forbidden");
    });
  }

  @Test
  void reportOnlyStageRecordsItsDenialAndLetsTheRequestPass() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("GET /shadow").auth(AuthMode.NONE).reportOnly("custom").build())
        .build();
    Stage deny = chain -> CompletableFuture.completedFuture(Decision.deny(DenyReason.FORBIDDEN, "would deny"));
    Decision decision = decide(security(config, deny), get("/shadow").build());
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    assertThat(events).singleElement().satisfies(e -> assertThat(e.shadowDenials()).containsExactly("custom:forbidden"));
  }

  @Test
  void wrappingStageAddsHeadersToALaterDenialWithoutTakingItOver() {
    Stage wrap = chain -> chain.proceed().thenApply(d -> d.withResponseHeaders(Headers.of("X-Wrapped", "yes")));
    Stage deny = chain -> CompletableFuture.completedFuture(Decision.deny(DenyReason.FORBIDDEN, "no"));
    Decision decision = decide(security(publicRoutes(), wrap, deny), get("/public/a").build());
    assertThat(decision.responseHeaders().firstOrNull("x-wrapped")).isEqualTo("yes");
    assertThat(((Decision.Deny) decision).stage()).isEqualTo("custom");
    assertThat(decision.status()).isEqualTo(403);
  }

  @Test
  void failingStageIsA503WithRetryAfterNeverAnException() {
    Stage boom = chain -> {
      throw new IllegalStateException("bug");
    };
    Decision decision = decide(security(publicRoutes(), boom), get("/public/a").build());
    assertThat(decision.status()).isEqualTo(503);
    assertThat(decision.responseHeaders().firstOrNull("retry-after")).isEqualTo("1");
    Stage failedLater = chain -> CompletableFuture.failedFuture(new java.io.IOException("down"));
    assertThat(decide(security(publicRoutes(), failedLater), get("/public/a").build()).status()).isEqualTo(503);
  }

  @Test
  void stageCallingProceedTwiceIsAProgrammingErrorAnsweredWith503() {
    Stage twice = chain -> {
      chain.proceed();
      return chain.proceed();
    };
    assertThat(decide(security(publicRoutes(), twice), get("/public/a").build()).status()).isEqualTo(503);
  }

  @Test
  void asynchronousStageCompletesLater() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    Stage slow = chain -> gate.thenCompose(v -> chain.proceed());
    var pending = security(publicRoutes(), slow).evaluate(get("/public/a").build()).toCompletableFuture();
    assertThat(pending).isNotDone();
    gate.complete(null);
    assertThat(pending.join()).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void auditLineRedactsCredentials() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("GET /a").auth(AuthMode.NONE).build())
        .audit(new ApiSecurityConfig.Audit(true, List.of("Authorization", "Cookie", "User-Agent"), java.util.Set.of()))
        .build();
    List<String> lines = new ArrayList<>();
    ApiSecurity security = ApiSecurity.builder(config).auditToSystemLogger(false)
        .listener(JsonLinesAuditLog.to(lines::add)).build();
    decide(security, get("/a").headers(Headers.of("Authorization", "Bearer eyJsecret", "Cookie", "s=1", "User-Agent", "curl")).build());
    assertThat(lines).singleElement().satisfies(line -> {
      assertThat(line).doesNotContain("eyJsecret").doesNotContain("s=1");
      assertThat(line).contains("\"authorization\":\"[redacted]\"").contains("\"user-agent\":\"curl\"");
      assertThat(line).contains("\"outcome\":\"allow\"").contains("\"clientIp\":\"127.0.0.1\"");
    });
  }

  @Test
  void untrustedPeerCannotChooseItsClientIp() {
    ApiSecurityConfig config = ApiSecurityConfig.builder().trustedProxies("10.0.0.0/8")
        .route(Route.builder("GET /a").auth(AuthMode.NONE).build()).build();
    ApiSecurity security = security(config);
    Decision spoofed = decide(security, get("/a").headers(Headers.of("X-Forwarded-For", "6.6.6.6")).build());
    assertThat(((Decision.Allow) spoofed).identity().clientIp()).isEqualTo("127.0.0.1");
    Decision viaProxy = decide(security, RequestView.builder().method("GET").target("/a")
        .remoteAddress(new InetSocketAddress("10.1.1.1", 4000))
        .headers(Headers.of("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.2.2.2")).build());
    assertThat(((Decision.Allow) viaProxy).identity().clientIp()).isEqualTo("203.0.113.9");
  }
}
