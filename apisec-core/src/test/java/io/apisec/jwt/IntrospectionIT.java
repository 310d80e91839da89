package io.apisec.jwt;

import static io.apisec.jwt.JwtFixture.assertAllowed;
import static io.apisec.jwt.JwtFixture.assertDenied;
import static io.apisec.jwt.JwtFixture.await;
import static io.apisec.jwt.JwtFixture.decide;
import static io.apisec.jwt.JwtFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.Health;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.IntrospectionConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.IntrospectionEndpoint;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import io.apisec.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opaque access tokens checked against a real introspection endpoint on loopback (RFC 7662), which
 * the tests control: each client authentication verified by the endpoint, caching by call count,
 * the endpoint taken down, stalled, failing or answering garbage; time moves by the test clock.
 */
class IntrospectionIT {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private static final String ISSUER = "https://idp.example.com/";
  private static final String SECRET = "s3cret-of-the-gateway";

  private final MutableClock clock = new MutableClock(START);
  private final List<AutoCloseable> started = new ArrayList<>();
  private IntrospectionEndpoint idp = started(IntrospectionEndpoint.start(clock));
  private ApiSecurity security;

  @TempDir
  Path dir;

  @AfterEach
  void stop() throws Exception {
    if (security != null) {
      security.close();
    }
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T started(T closeable) {
    started.add(closeable);
    return closeable;
  }

  private static String opaque() {
    return "opq_" + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
  }

  private static Map<String, Object> members(String scope, Instant exp) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sub", "alice");
    m.put("client_id", "orders-app");
    m.put("scope", scope);
    m.put("aud", "orders-api");
    m.put("iss", ISSUER);
    m.put("exp", exp.getEpochSecond());
    m.put("token_type", "Bearer");
    return m;
  }

  private IntrospectionConfig.Builder basic() {
    idp.expectBasic("api", SECRET);
    return IntrospectionConfig.builder(idp.url()).clientId("api").clientSecret(SECRET)
        .timeout(Duration.ofMillis(500)).cacheMaxTtl(Duration.ofMinutes(1)).negativeCache(Duration.ofSeconds(5))
        .maxStaleness(Duration.ofMinutes(2));
  }

  private ApiSecurity start(IntrospectionConfig.Builder introspection, Route... routes) {
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(ISSUER).audiences("orders-api").introspection(introspection.build()).build())
        .build();
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder().jwt(jwt);
    if (routes.length == 0) {
      config.route(Route.builder("GET /orders").build());
    }
    for (Route route : routes) {
      config.route(route);
    }
    security = ApiSecurity.builder(config.build()).clock(clock).auditToSystemLogger(false).build();
    return security;
  }

  private Health.Component component() {
    return security.health().component("introspection:" + ISSUER).orElseThrow();
  }

  @Test
  void anActiveTokenIsAllowedWithItsMembersAsClaimsUsingClientSecretBasic() {
    start(basic());
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    Decision.Allow allow = assertAllowed(decide(security, "/orders", token));
    assertThat(allow.identity().principalName()).contains("alice");
    assertThat(allow.identity().claims().orElseThrow().clientId()).contains("orders-app");
    assertThat(allow.identity().claims().orElseThrow().scopes()).containsExactly("orders:read");
    assertThat(idp.calls()).isEqualTo(1);
    assertThat(idp.refusedClients()).isZero();
    assertThat(idp.lastForm()).contains("token_type_hint=access_token").doesNotContain("client_secret");
  }

  @Test
  void clientSecretPostSendsTheCredentialsInTheForm() {
    idp.expectPost("api", SECRET);
    start(IntrospectionConfig.builder(idp.url()).clientId("api").clientSecret(SECRET)
        .clientAuth(IntrospectionConfig.ClientAuth.CLIENT_SECRET_POST));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", token));
    assertThat(idp.refusedClients()).isZero();
  }

  @Test
  void privateKeyJwtSendsAnAssertionTheEndpointVerifiesWithThePublicKey() {
    KeyPair keys = IntrospectionEndpoint.rsaKeyPair();
    idp.expectAssertion("api", keys.getPublic());
    start(IntrospectionConfig.builder(idp.url()).clientId("api")
        .clientAuth(IntrospectionConfig.ClientAuth.PRIVATE_KEY_JWT)
        .privateKey(IntrospectionEndpoint.writePkcs8(dir.resolve("client.key"), keys.getPrivate()))
        .keyId("api-1")
        .cacheMaxEntries(0));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    // two calls (no cache): each carries a fresh assertion, which the endpoint refuses to see twice
    assertAllowed(decide(security, "/orders", token));
    assertAllowed(decide(security, "/orders", token));
    assertThat(idp.calls()).isEqualTo(2);
    assertThat(idp.refusedClients()).isZero();
  }

  @Test
  void privateKeyJwtSignedByAnotherKeyIsRefusedByTheEndpointAnd503() {
    KeyPair ec = TestPki.ecKeyPair();
    idp.expectAssertion("api", IntrospectionEndpoint.rsaKeyPair().getPublic());
    start(IntrospectionConfig.builder(idp.url()).clientId("api")
        .clientAuth(IntrospectionConfig.ClientAuth.PRIVATE_KEY_JWT)
        .privateKey(IntrospectionEndpoint.writePkcs8(dir.resolve("ec.key"), ec.getPrivate())));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    Decision.Deny deny = assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE,
        "refused apisec's client authentication", token);
    assertThat(deny.responseHeaders().first("retry-after")).isPresent();
    assertThat(idp.refusedClients()).isEqualTo(1);
  }

  @Test
  void tlsClientAuthPresentsTheConfiguredCertificate() {
    TestPki.Issued ca = TestPki.rootCa("IdP CA");
    TestPki.Issued server = TestPki.localhostServer(ca);
    TestPki.Issued client = TestPki.spec("gateway").clientAuth().issuedBy(ca);
    idp = started(IntrospectionEndpoint.startTls(clock, server, ca.certificate()));
    idp.expectCertificate("api", client.certificate());
    start(IntrospectionConfig.builder(idp.url()).clientId("api")
        .clientAuth(IntrospectionConfig.ClientAuth.TLS_CLIENT_AUTH)
        .keyStore(client.writeKeyStore(dir.resolve("client.p12")), TestPki.password())
        .trustAnchors(TestPki.writePem(dir.resolve("ca.pem"), ca.certificate())));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", token));
    assertThat(idp.refusedClients()).isZero();

    // another certificate from the same CA is not the configured client: the endpoint refuses it
    TestPki.Issued other = TestPki.spec("someone-else").clientAuth().issuedBy(ca);
    security.close();
    start(IntrospectionConfig.builder(idp.url()).clientId("api")
        .clientAuth(IntrospectionConfig.ClientAuth.TLS_CLIENT_AUTH)
        .certificate(TestPki.writePem(dir.resolve("other.pem"), (Object[]) other.fullChain()))
        .privateKey(IntrospectionEndpoint.writePkcs8(dir.resolve("other.key"), other.key()))
        .trustAnchors(TestPki.writePem(dir.resolve("ca.pem"), ca.certificate())));
    assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "client authentication", token);
  }

  @Test
  void anEndpointWhoseCertificateIsNotTrustedIsUnavailableNeverAllowed() {
    TestPki.Issued ca = TestPki.rootCa("IdP CA");
    idp = started(IntrospectionEndpoint.startTls(clock, TestPki.localhostServer(ca), ca.certificate()));
    idp.expectBasic("api", SECRET);
    start(IntrospectionConfig.builder(idp.url()).clientId("api").clientSecret(SECRET)); // JDK trust only
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "unavailable", token);
    assertThat(idp.calls()).isZero();
  }

  @Test
  void aWrongClientSecretIsAnEndpointFailureWith503NotABlameOnTheCaller() {
    idp.expectBasic("api", "the-real-secret");
    start(IntrospectionConfig.builder(idp.url()).clientId("api").clientSecret(SECRET));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    Decision.Deny deny = assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE,
        "refused apisec's client authentication (HTTP 401)", token);
    assertThat(new String(deny.body(), StandardCharsets.UTF_8)).doesNotContain(SECRET);
    assertThat(component().lastError()).doesNotContain(SECRET).doesNotContain(token);
    assertThat(component().status()).isEqualTo(Health.Status.DEGRADED);
  }

  @Test
  void anInactiveTokenIsDeniedWith401InvalidToken() {
    start(basic());
    String token = opaque();
    Decision.Deny deny = assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "not active", token);
    assertThat(deny.responseHeaders().first("www-authenticate")).hasValueSatisfying(
        v -> assertThat(v).contains("error=\"invalid_token\""));
  }

  @Test
  void aCacheHitDoesNotCallTheEndpoint() {
    start(basic());
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    for (int i = 0; i < 5; i++) {
      assertAllowed(decide(security, "/orders", token));
    }
    assertThat(idp.calls()).isEqualTo(1);
    assertThat(component().counters()).containsEntry("cache-hits", 4L);
  }

  @Test
  void aCachedAnswerNeverOutlivesTheTokensExp() {
    start(basic().cacheMaxTtl(Duration.ofMinutes(10)));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(30)));
    assertAllowed(decide(security, "/orders", token));
    clock.advance(Duration.ofSeconds(29));
    assertAllowed(decide(security, "/orders", token));
    assertThat(idp.calls()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1)); // exactly exp: the cached answer is gone, the endpoint is asked
    idp.deactivate(token);
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "not active", token);
    assertThat(idp.calls()).isEqualTo(2);
  }

  @Test
  void anAnswerIsReusedUpToCacheMaxTtlThenTheEndpointIsAskedAgainSoRevocationTakesEffect() {
    start(basic());
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", token));
    idp.deactivate(token);
    clock.advance(Duration.ofSeconds(59));
    assertAllowed(decide(security, "/orders", token));
    clock.advance(Duration.ofSeconds(1));
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "not active", token);
    assertThat(idp.calls()).isEqualTo(2);
  }

  @Test
  void theNegativeCacheExpires() {
    start(basic());
    String token = opaque();
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "not active", token);
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    clock.advance(Duration.ofSeconds(4));
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "not active", token);
    assertThat(idp.calls()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertAllowed(decide(security, "/orders", token));
    assertThat(idp.calls()).isEqualTo(2);
  }

  @Test
  void withTheEndpointDownACachedAnswerServesStaleWithinMaxStalenessThen503() {
    start(basic());
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", token));
    idp.takeDown();
    clock.advance(Duration.ofSeconds(61 + 110)); // past cache-max-ttl (1m), within max-staleness (2m)
    assertAllowed(decide(security, "/orders", token));
    assertThat(component().counters()).containsEntry("stale-served", 1L);
    assertThat(component().status()).isEqualTo(Health.Status.DEGRADED);
    clock.advance(Duration.ofSeconds(10)); // 3m01s after the answer: beyond the bound
    Decision.Deny deny = assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE,
        "connection was refused", token);
    assertThat(deny.status()).isEqualTo(503);
    assertThat(deny.responseHeaders().first("retry-after")).contains("1");
    idp.bringUp();
    assertAllowed(decide(security, "/orders", token));
    assertThat(component().status()).isEqualTo(Health.Status.UP);
  }

  @Test
  void anUnknownTokenWithTheEndpointDownIs503NeverAllowed() {
    start(basic());
    idp.takeDown();
    String token = opaque();
    assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "unavailable", token);
    // the failure is not cached as a refusal: once the endpoint is back, the token is judged
    idp.bringUp();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", token));
  }

  @Test
  void aSlowEndpointTimesOutWithin503AndTheBound() {
    start(basic().timeout(Duration.ofMillis(300)));
    idp.mode(IntrospectionEndpoint.Mode.STALL);
    String token = opaque();
    long began = System.nanoTime();
    Decision decision = decide(security, "/orders", token);
    long tookMillis = (System.nanoTime() - began) / 1_000_000;
    assertDenied(decision, DenyReason.UNAVAILABLE, "timed out after 300ms", token);
    assertThat(tookMillis).isGreaterThanOrEqualTo(250).isLessThan(3000);
  }

  @Test
  void aHundredConcurrentRequestsForOneTokenMakeOneCall() {
    start(basic().timeout(Duration.ofSeconds(5)));
    String token = opaque();
    idp.activate(token, members("orders:read", START.plusSeconds(3600)));
    idp.mode(IntrospectionEndpoint.Mode.STALL);
    List<CompletionStage<Decision>> decisions = new CopyOnWriteArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int i = 0; i < 100; i++) {
        callers.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          decisions.add(send(security, "/orders", token));
        });
      }
      go.countDown();
      TestIssuer.await(() -> decisions.size() == 100, "the hundred requests to be evaluated");
    } finally {
      callers.shutdown();
    }
    TestIssuer.await(() -> idp.calls() == 1, "the one introspection call to arrive");
    idp.mode(IntrospectionEndpoint.Mode.SERVE);
    idp.releaseStalled();
    for (CompletionStage<Decision> decision : decisions) {
      assertAllowed(await(decision));
    }
    assertThat(idp.calls()).isEqualTo(1);
  }

  @Test
  void scopesAndAudienceAreCheckedAsForAJwt() {
    start(basic(), Route.builder("POST /orders").scopes("orders:write").build(),
        Route.builder("GET /orders").requireClaim("client_id", "orders-app").build());
    String reader = opaque();
    idp.activate(reader, members("orders:read", START.plusSeconds(3600)));
    Decision.Deny deny = assertDenied(await(security.evaluate(request("POST", reader))), DenyReason.INSUFFICIENT_SCOPE,
        "orders:write", reader);
    assertThat(deny.status()).isEqualTo(403);
    String writer = opaque();
    idp.activate(writer, members("orders:read orders:write", START.plusSeconds(3600)));
    assertAllowed(await(security.evaluate(request("POST", writer))));

    String otherAudience = opaque();
    Map<String, Object> m = members("orders:write", START.plusSeconds(3600));
    m.put("aud", List.of("billing-api"));
    idp.activate(otherAudience, m);
    assertDenied(await(security.evaluate(request("POST", otherAudience))), DenyReason.INVALID_TOKEN,
        "audience is not accepted", otherAudience);

    String otherClient = opaque();
    Map<String, Object> c = members("orders:read", START.plusSeconds(3600));
    c.put("client_id", "billing-app");
    idp.activate(otherClient, c);
    assertDenied(decide(security, "/orders", otherClient), DenyReason.FORBIDDEN, "client_id", otherClient);
  }

  @Test
  void anAnswerWithoutABooleanActiveOrNotJsonIsNeverActive() {
    start(basic());
    String token = opaque();
    String[] bodies = {
        "{\"sub\":\"alice\",\"aud\":\"orders-api\",\"scope\":\"orders:read\"}",
        "{\"active\":\"true\",\"sub\":\"alice\",\"aud\":\"orders-api\"}",
        "{\"active\":1,\"aud\":\"orders-api\"}",
        "{\"active\":false,\"active\":true,\"aud\":\"orders-api\"}",
        "[{\"active\":true}]",
        "<html>login</html>",
        "{\"active\":true,\"aud\":\"orders-api\"} trailing",
        "",
    };
    for (String body : bodies) {
      idp.rawBody(body);
      assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "unavailable", token);
    }
    idp.mode(IntrospectionEndpoint.Mode.ERROR);
    assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "HTTP 500", token);
    idp.rawBody("{\"active\":true,\"aud\":\"orders-api\",\"sub\":\"" + "x".repeat(70_000) + "\"}");
    assertDenied(decide(security, "/orders", token), DenyReason.UNAVAILABLE, "larger than 64KB", token);
    assertThat(idp.calls()).isEqualTo(bodies.length + 2);
  }

  @Test
  void expiredForeignAndRefreshTokensAreRefusedEvenWhenActive() {
    start(basic());
    String expired = opaque();
    idp.activate(expired, members("orders:read", START.minusSeconds(120)));
    assertDenied(decide(security, "/orders", expired), DenyReason.INVALID_TOKEN, "expired", expired);
    String foreign = opaque();
    Map<String, Object> f = members("orders:read", START.plusSeconds(3600));
    f.put("iss", "https://evil.example/");
    idp.activate(foreign, f);
    assertDenied(decide(security, "/orders", foreign), DenyReason.INVALID_TOKEN, "issuer", foreign);
    String refresh = opaque();
    Map<String, Object> r = members("orders:read", START.plusSeconds(3600));
    r.put("token_type", "refresh_token");
    idp.activate(refresh, r);
    assertDenied(decide(security, "/orders", refresh), DenyReason.INVALID_TOKEN, "refresh token", refresh);
  }

  @Test
  void anOpaqueTokenBoundToACertificateNeedsThatCertificate() {
    start(basic());
    String token = opaque();
    Map<String, Object> m = members("orders:read", START.plusSeconds(3600));
    m.put("cnf", Map.of("x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"));
    idp.activate(token, m);
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "none was presented", token);
    TestPki.Issued ca = TestPki.rootCa("Client CA");
    TestPki.Issued client = TestPki.spec("someone").clientAuth().issuedBy(ca);
    RequestView withCertificate = RequestView.builder()
        .method("GET").target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + token))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .tls(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(client.fullChain())))
        .build();
    assertDenied(await(security.evaluate(withCertificate)), DenyReason.INVALID_TOKEN, "another client certificate", token);
  }

  @Test
  void jwtsOfALocalIssuerAreStillVerifiedLocallyAndNeverIntrospected() {
    TestIssuer local = started(TestIssuer.start(clock));
    TestKey key = TestKey.ec("k1", "ES256");
    local.publish(key);
    idp.expectBasic("api", SECRET);
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(local.issuer()).jwksUri(local.jwksUri()).audiences("orders-api")
            .algorithms("ES256").build())
        .issuer(JwtConfig.Issuer.builder(ISSUER).audiences("orders-api")
            .introspection(IntrospectionConfig.builder(idp.url()).clientId("api").clientSecret(SECRET).build()).build())
        .build();
    security = ApiSecurity.builder(ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build())
        .clock(clock).auditToSystemLogger(false).build();
    TestIssuer.await(() -> security.health().ready(), "the keys to load");
    String signed = local.token(key).claim("aud", "orders-api").claim("scope", "orders:read").sign();
    assertAllowed(decide(security, "/orders", signed));
    String opaque = opaque();
    idp.activate(opaque, members("orders:read", START.plusSeconds(3600)));
    assertAllowed(decide(security, "/orders", opaque));
    assertThat(idp.calls()).isEqualTo(1);
    assertThat(idp.lastForm()).doesNotContain(signed.substring(0, 20));
  }

  @Test
  void aRevokedJtiIsRefusedEvenWhenTheActiveAnswerIsCached() {
    InMemoryRevocationList revocations = new InMemoryRevocationList(clock);
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(ISSUER).audiences("orders-api").introspection(basic().build()).build())
        .build();
    security = ApiSecurity.builder(ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build())
        .clock(clock).auditToSystemLogger(false).revocationList(revocations).build();
    String token = opaque();
    Map<String, Object> m = members("orders:read", START.plusSeconds(3600));
    m.put("jti", "opaque-jti-1");
    idp.activate(token, m);
    assertAllowed(decide(security, "/orders", token));
    revocations.revoke("opaque-jti-1", START.plusSeconds(3600)).toCompletableFuture().join();
    assertDenied(decide(security, "/orders", token), DenyReason.INVALID_TOKEN, "revoked", token);
    assertThat(idp.calls()).isEqualTo(1);
  }

  private static RequestView request(String method, String token) {
    return RequestView.builder()
        .method(method).target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + token))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .build();
  }
}
