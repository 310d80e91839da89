package io.apisec.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Attributes;
import io.apisec.AuditEvent;
import io.apisec.AuthMode;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.StageRunner;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.config.OcspSettings;
import io.apisec.internal.TrustedProxies;
import io.apisec.testing.LocalOcspResponder.Answer;
import io.apisec.testing.LocalOcspResponder;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestPki.Issued;
import io.apisec.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OCSP against a real responder on 127.0.0.1 (BouncyCastle-signed answers): good, revoked,
 * unknown, unreachable, slow, forged and stale answers in both fail modes; the cache and its
 * expiry on the test clock; delegated and configured responders; stapled responses from a
 * trusted proxy, and the same header from anyone else ignored.
 */
class OcspRevocationIT {
  private static final Issued CA = TestPki.rootCa("OCSP Root");
  private static final String PROXY = "10.0.0.5";
  private static final String CLIENT = "192.0.2.7";
  private static Path caPem;

  private final MutableClock clock = MutableClock.now();
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private LocalOcspResponder responder;
  private Issued leaf;

  @BeforeEach
  void start() throws Exception {
    if (caPem == null) {
      caPem = TestPki.writePem(Files.createTempDirectory("apisec-ocsp").resolve("root.pem"), CA.certificate());
    }
    responder = LocalOcspResponder.start(CA, clock);
    leaf = TestPki.spec("orders-1").clientAuth().ocspUrl(responder.url()).issuedBy(CA);
  }

  @AfterEach
  void stop() {
    responder.close();
  }

  private ApiSecurity security(OcspSettings.Mode mode, Consumer<OcspSettings.Builder> tune) {
    OcspSettings.Builder ocsp = OcspSettings.builder().mode(mode).timeout(Duration.ofMillis(500));
    tune.accept(ocsp);
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder()
        .trustedProxies("10.0.0.0/8")
        .mtls(MtlsSettings.builder().trustAnchors(caPem)
            .forwardedHeader(MtlsSettings.ForwardedFormat.RFC9440)
            .ocsp(ocsp.build()).build())
        .route(Route.builder("GET /orders").auth(AuthMode.MTLS).build());
    if (mode == OcspSettings.Mode.SOFT_FAIL) {
      config.allowRisky("ocsp-soft-fail");
    }
    return ApiSecurity.builder(config.build()).clock(clock).auditToSystemLogger(false)
        .listener(events::add)
        .stage(chain -> {
          String status = chain.attributes().getOrNull(CertificateVerifier.REVOCATION_STATUS);
          seen.put("status", status == null ? "(none)" : status);
          return chain.proceed();
        })
        .build();
  }

  private ApiSecurity security(OcspSettings.Mode mode) {
    return security(mode, ocsp -> { });
  }

  private Decision present(ApiSecurity security, Issued certificate) {
    return Requests.evaluate(security, Requests.request("/orders", CLIENT, List.of(certificate.certificate())));
  }

  @Test
  void goodCertificateIsAllowedAndItsStatusRecorded() {
    responder.answer(leaf.certificate(), Answer.GOOD);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(seen).containsEntry("status", "good");
    assertThat(events).singleElement().satisfies(event -> assertThat(event.notes()).isEmpty());
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void revokedCertificateIsDeniedWith401InHardFail() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    assertRevoked(present(security(OcspSettings.Mode.HARD_FAIL), leaf));
  }

  @Test
  void revokedCertificateIsDeniedWith401InSoftFail() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    assertRevoked(present(security(OcspSettings.Mode.SOFT_FAIL), leaf));
  }

  private static void assertRevoked(Decision decision) {
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason().slug()).isEqualTo("invalid-certificate");
    assertThat(deny.detail()).contains("'CN=orders-1'").contains("is revoked by its OCSP responder since")
        .contains("KEY_COMPROMISE");
  }

  @Test
  void unknownStatusIsDeniedWith401InHardFail() {
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).contains("the OCSP responder does not know 'CN=orders-1'");
  }

  @Test
  void unknownStatusIsAllowedAndRecordedInSoftFail() {
    Decision decision = present(security(OcspSettings.Mode.SOFT_FAIL), leaf);
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(seen.get("status")).startsWith("soft-fail: the OCSP responder does not know 'CN=orders-1'");
    // leniency that let a request through is visible in its audit event
    assertThat(events).singleElement().satisfies(event -> assertThat(event.notes())
        .singleElement().asString().startsWith("ocsp:soft-fail: the OCSP responder does not know 'CN=orders-1'"));
  }

  @Test
  void unreachableResponderIsA503WithRetryAfterInHardFail() {
    responder.close();
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(503);
    assertThat(((Decision.Deny) decision).responseHeaders().firstOrNull("Retry-After")).isEqualTo("1");
    assertThat(Requests.detail(decision)).contains("OCSP responder http://127.0.0.1:").contains("is unreachable");
  }

  @Test
  void unreachableResponderIsAllowedAndRecordedInSoftFail() {
    responder.close();
    Decision decision = present(security(OcspSettings.Mode.SOFT_FAIL), leaf);
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(seen.get("status")).startsWith("soft-fail: OCSP responder http://127.0.0.1:").contains("is unreachable");
  }

  @Test
  void slowResponderTimesOutToA503InHardFailAndAnAllowInSoftFail() {
    responder.answer(leaf.certificate(), Answer.GOOD).hold();
    Decision hard = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(hard.status()).as(Requests.detail(hard)).isEqualTo(503);
    assertThat(Requests.detail(hard)).contains("did not answer within 500 ms");
    Decision soft = present(security(OcspSettings.Mode.SOFT_FAIL), leaf);
    assertThat(allowed(soft)).as(Requests.detail(soft)).isTrue();
    assertThat(seen.get("status")).contains("did not answer within 500 ms");
  }

  @Test
  void responderHttpErrorIsUnavailableNotAVerdict() {
    responder.httpStatus(500);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(503);
    assertThat(Requests.detail(decision)).contains("answered HTTP 500");
  }

  @Test
  void malformedResponseIsDeniedInBothModes() {
    responder.body("<html>not OCSP</html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (OcspSettings.Mode mode : List.of(OcspSettings.Mode.HARD_FAIL, OcspSettings.Mode.SOFT_FAIL)) {
      Decision decision = present(security(mode), leaf);
      assertThat(decision.status()).as(mode + ": " + Requests.detail(decision)).isEqualTo(401);
      assertThat(Requests.detail(decision)).contains("the OCSP response is malformed");
    }
  }

  @Test
  void oversizedResponseIsUnavailableNotRead() {
    responder.body(new byte[OcspRevocation.MAX_RESPONSE + 1]);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(503);
    assertThat(Requests.detail(decision)).contains("larger than 65536 bytes");
  }

  @Test
  void unsignedTryLaterIsUnavailableDenyingInHardFailAllowingInSoftFail() {
    // OCSPResponse { responseStatus tryLater(3) }: unsigned, so it may only ever mean "no answer"
    responder.body(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x03});
    Decision hard = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(hard.status()).as(Requests.detail(hard)).isEqualTo(503);
    assertThat(Requests.detail(hard)).contains("answered tryLater");
    Decision soft = present(security(OcspSettings.Mode.SOFT_FAIL), leaf);
    assertThat(allowed(soft)).as(Requests.detail(soft)).isTrue();
    assertThat(seen.get("status")).isEqualTo("soft-fail: the OCSP responder answered tryLater");
  }

  @Test
  void responseSignedByAnUnauthorisedKeyIsDeniedInBothModes() {
    // a look-alike CA with the same name but another key, included in the response
    Issued forger = TestPki.spec("OCSP Root").ca().ocspSigning().selfSigned();
    responder.answer(leaf.certificate(), Answer.GOOD).signAs(forger.certificate(), forger.key(), true);
    for (OcspSettings.Mode mode : List.of(OcspSettings.Mode.HARD_FAIL, OcspSettings.Mode.SOFT_FAIL)) {
      Decision decision = present(security(mode), leaf);
      assertThat(decision.status()).as(mode + ": " + Requests.detail(decision)).isEqualTo(401);
      assertThat(Requests.detail(decision)).contains("its revocation status could not be established")
          .contains("could not be verified");
    }
  }

  @Test
  void responderCertificateWithoutOcspSigningIsNotAuthorised() {
    Issued notResponder = TestPki.spec("Not a responder").clientAuth().issuedBy(CA);
    responder.answer(leaf.certificate(), Answer.GOOD).signAs(notResponder.certificate(), notResponder.key(), true);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).contains("not valid for signing OCSP responses");
  }

  @Test
  void delegatedResponderIssuedByTheCaWithOcspSigningIsTrusted() {
    Issued delegate = TestPki.spec("OCSP Responder").ocspSigning().issuedBy(CA);
    responder.answer(leaf.certificate(), Answer.REVOKED).signAs(delegate.certificate(), delegate.key(), true);
    assertRevoked(present(security(OcspSettings.Mode.HARD_FAIL), leaf));
  }

  @Test
  void configuredResponderCertificateAndUrlOverrideTheCertificatesOwn() throws Exception {
    Issued local = TestPki.spec("Local Responder").selfSigned();
    Path localPem = TestPki.writePem(Files.createTempFile("responder", ".pem"), local.certificate());
    Issued noAia = TestPki.spec("no-aia").clientAuth().issuedBy(CA);
    responder.answer(noAia.certificate(), Answer.GOOD).signAs(local.certificate(), local.key(), false);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL,
        ocsp -> ocsp.responderUrl(URI.create(responder.url())).responderCertificate(localPem)), noAia);
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void certificateNamingNoResponderIsDeniedInHardFail() {
    Issued noAia = TestPki.spec("no-aia").clientAuth().issuedBy(CA);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), noAia);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).contains("names no OCSP responder");
  }

  @Test
  void staleResponseIsDeniedInBothModes() {
    responder.answer(leaf.certificate(), Answer.GOOD).timing(Duration.ofHours(3), Duration.ofHours(-2));
    for (OcspSettings.Mode mode : List.of(OcspSettings.Mode.HARD_FAIL, OcspSettings.Mode.SOFT_FAIL)) {
      Decision decision = present(security(mode), leaf);
      assertThat(decision.status()).as(mode + ": " + Requests.detail(decision)).isEqualTo(401);
      assertThat(Requests.detail(decision)).contains("the OCSP response is stale");
    }
  }

  @Test
  void responseJustPastNextUpdateIsStaleEvenWithinTheJdksFifteenMinutes() {
    responder.answer(leaf.certificate(), Answer.GOOD).timing(Duration.ofHours(1), Duration.ofMinutes(-5));
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), leaf);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).contains("stale");
  }

  @Test
  void cachedAnswerMakesNoSecondResponderCall() {
    responder.answer(leaf.certificate(), Answer.GOOD);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL);
    for (int i = 0; i < 5; i++) {
      assertThat(allowed(present(security, leaf))).isTrue();
    }
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void revokedAnswerIsCachedToo() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL);
    assertRevoked(present(security, leaf));
    assertRevoked(present(security, leaf));
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void cachedAnswerExpiresAtMaxAgeOnTheClock() {
    responder.answer(leaf.certificate(), Answer.GOOD);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.maxAge(Duration.ofMinutes(10)));
    assertThat(allowed(present(security, leaf))).isTrue();
    clock.advance(Duration.ofMinutes(9));
    assertThat(allowed(present(security, leaf))).isTrue();
    assertThat(responder.requests()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2));
    // revoked meanwhile: the expired answer is not used
    responder.answer(leaf.certificate(), Answer.REVOKED);
    assertRevoked(present(security, leaf));
    assertThat(responder.requests()).isEqualTo(2);
  }

  @Test
  void cachedAnswerExpiresAtItsNextUpdate() {
    responder.answer(leaf.certificate(), Answer.GOOD).timing(Duration.ZERO, Duration.ofMinutes(5));
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.maxAge(Duration.ofHours(1)));
    assertThat(allowed(present(security, leaf))).isTrue();
    clock.advance(Duration.ofMinutes(6));
    assertThat(allowed(present(security, leaf))).isTrue();
    assertThat(responder.requests()).isEqualTo(2);
  }

  @Test
  void failuresAreNotCached() {
    responder.httpStatus(503);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL);
    assertThat(present(security, leaf).status()).isEqualTo(503);
    responder.httpStatus(200).answer(leaf.certificate(), Answer.GOOD);
    assertThat(allowed(present(security, leaf))).isTrue();
    assertThat(responder.requests()).isEqualTo(2);
  }

  @Test
  void concurrentChecksOfOneCertificateShareOneExchange() {
    responder.answer(leaf.certificate(), Answer.GOOD).hold();
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.timeout(Duration.ofSeconds(10)));
    List<CompletableFuture<Decision>> pending = List.of(
        security.evaluate(Requests.request("/orders", CLIENT, List.of(leaf.certificate()))).toCompletableFuture(),
        security.evaluate(Requests.request("/orders", CLIENT, List.of(leaf.certificate()))).toCompletableFuture());
    assertThat(pending).noneMatch(CompletableFuture::isDone);
    responder.release();
    assertThat(pending).allMatch(future -> allowed(future.join()));
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void chainModeChecksTheIntermediateTooLeafModeOnlyTheLeaf() {
    Issued intermediate = TestPki.spec("OCSP Intermediate").ca().ocspUrl(responder.url()).issuedBy(CA);
    try (LocalOcspResponder intermediateResponder = LocalOcspResponder.start(intermediate, clock)) {
      Issued below = TestPki.spec("below").clientAuth().ocspUrl(intermediateResponder.url()).issuedBy(intermediate);
      intermediateResponder.answer(below.certificate(), Answer.GOOD);
      responder.answer(intermediate.certificate(), Answer.REVOKED);
      List<java.security.cert.X509Certificate> sent = List.of(below.certificate(), intermediate.certificate());

      Decision leafOnly = Requests.evaluate(security(OcspSettings.Mode.HARD_FAIL),
          Requests.request("/orders", CLIENT, sent));
      assertThat(allowed(leafOnly)).as(Requests.detail(leafOnly)).isTrue();
      assertThat(responder.requests()).isZero();

      Decision chain = Requests.evaluate(security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.check(OcspSettings.Check.CHAIN)),
          Requests.request("/orders", CLIENT, sent));
      assertThat(chain.status()).as(Requests.detail(chain)).isEqualTo(401);
      assertThat(Requests.detail(chain)).contains("'CN=OCSP Intermediate'").contains("is revoked");
      assertThat(responder.requests()).isEqualTo(1);
    }
  }

  @Test
  void stapledResponseFromATrustedProxyIsUsedWithoutAskingTheResponder() {
    responder.answer(leaf.certificate(), Answer.GOOD);
    String staple = Base64.getEncoder().encodeToString(responder.response(leaf.certificate(), CA.certificate()));
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.stapledHeader("Client-Cert-OCSP"));
    Decision decision = Requests.evaluate(security, Requests.request("/orders", PROXY, null,
        "Client-Cert", Forwarding.sfBinary(leaf.certificate()), "Client-Cert-OCSP", staple));
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(seen).containsEntry("status", "good (stapled)");
    assertThat(responder.requests()).isZero();
  }

  @Test
  void stapledRevokedResponseIsDenied() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    String staple = ":" + Base64.getEncoder().encodeToString(responder.response(leaf.certificate(), CA.certificate())) + ":";
    ApiSecurity security = security(OcspSettings.Mode.SOFT_FAIL, ocsp -> ocsp.stapledHeader("Client-Cert-OCSP"));
    Decision decision = Requests.evaluate(security, Requests.request("/orders", PROXY, null,
        "Client-Cert", Forwarding.sfBinary(leaf.certificate()), "Client-Cert-OCSP", staple));
    assertRevoked(decision);
    assertThat(responder.requests()).isZero();
  }

  @Test
  void staleStapledResponseIsIgnoredAndTheResponderAsked() {
    responder.answer(leaf.certificate(), Answer.GOOD).timing(Duration.ofHours(3), Duration.ofHours(-2));
    String staple = Base64.getEncoder().encodeToString(responder.response(leaf.certificate(), CA.certificate()));
    responder.timing(Duration.ZERO, Duration.ofHours(1)).answer(leaf.certificate(), Answer.REVOKED);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.stapledHeader("Client-Cert-OCSP"));
    Decision decision = Requests.evaluate(security, Requests.request("/orders", PROXY, null,
        "Client-Cert", Forwarding.sfBinary(leaf.certificate()), "Client-Cert-OCSP", staple));
    assertRevoked(decision);
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void stapledHeaderFromAnUntrustedClientIsIgnored() {
    // a revoked client replays a good answer it once obtained: from a non-proxy it counts for nothing
    responder.answer(leaf.certificate(), Answer.GOOD);
    String staple = Base64.getEncoder().encodeToString(responder.response(leaf.certificate(), CA.certificate()));
    responder.answer(leaf.certificate(), Answer.REVOKED);
    ApiSecurity security = security(OcspSettings.Mode.HARD_FAIL, ocsp -> ocsp.stapledHeader("Client-Cert-OCSP"));
    Decision decision = Requests.evaluate(security, Requests.request("/orders", CLIENT, List.of(leaf.certificate()),
        "Client-Cert-OCSP", staple));
    assertRevoked(decision);
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void certificateBoundTokenOnARouteWithoutTheMtlsStageHasItsCertificateCheckedToo() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    Stage binding = CertificateVerifier.create(MtlsSettings.builder().trustAnchors(caPem)
            .ocsp(OcspSettings.builder().mode(OcspSettings.Mode.HARD_FAIL).build()).build(),
        new TrustedProxies(List.of()), clock).tokenBindingStage();
    Attributes attributes = new Attributes();
    attributes.put(Attributes.CLAIMS, new Claims(Map.of("sub", "alice",
        "cnf", Map.of("x5t#S256", Certificates.thumbprint(leaf.certificate())))));
    Decision decision = StageRunner.run("jwt", binding,
        Requests.request("/orders", CLIENT, List.of(leaf.certificate())), attributes);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).startsWith("The token is bound to a client certificate that was refused: ")
        .contains("is revoked by its OCSP responder");
    assertThat(responder.requests()).isEqualTo(1);
  }

  @Test
  void responseFieldsAreReadForTheCertIdAskedAboutOnly() {
    responder.answer(leaf.certificate(), Answer.REVOKED);
    byte[] der = responder.response(leaf.certificate(), CA.certificate());
    OcspMessages.Response about = OcspMessages.response(der, OcspMessages.CertId.of(leaf.certificate(), CA.certificate()));
    assertThat(about.status()).isZero();
    assertThat(about.single().status()).isEqualTo(OcspMessages.CertStatus.REVOKED);
    assertThat(about.single().revocationTime()).isBefore(about.single().thisUpdate());
    assertThat(about.single().nextUpdate()).isAfter(about.single().thisUpdate());
    Issued other = TestPki.spec("other").clientAuth().issuedBy(CA);
    assertThat(OcspMessages.response(der, OcspMessages.CertId.of(other.certificate(), CA.certificate())).single()).isNull();
  }

  @Test
  void untrustedCertificateNamingAResponderIsRefusedWithoutAnyFetch() {
    // the responder URL of a certificate no trusted CA issued is never dereferenced (no SSRF)
    Issued rogueCa = TestPki.rootCa("Rogue CA");
    Issued rogue = TestPki.spec("rogue").clientAuth().ocspUrl(responder.url()).issuedBy(rogueCa);
    Decision decision = present(security(OcspSettings.Mode.HARD_FAIL), rogue);
    assertThat(decision.status()).as(Requests.detail(decision)).isEqualTo(401);
    assertThat(Requests.detail(decision)).contains("untrusted issuer");
    assertThat(responder.requests()).isZero();
  }

  @Test
  void ocspOffAsksNoResponder() {
    Decision decision = present(security(OcspSettings.Mode.OFF), leaf);
    assertThat(allowed(decision)).as(Requests.detail(decision)).isTrue();
    assertThat(seen).containsEntry("status", "(none)");
    assertThat(responder.requests()).isZero();
  }

  private static boolean allowed(Decision decision) {
    return decision instanceof Decision.Allow;
  }
}
