package io.apisec.mtls;

import static io.apisec.mtls.ClientPki.sent;
import static io.apisec.mtls.Requests.detail;
import static io.apisec.mtls.Requests.evaluate;
import static io.apisec.mtls.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.CertificateIdentity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.MtlsSettings;
import io.apisec.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateVerificationTest {
  private static final ClientPki PKI = ClientPki.INSTANCE;
  private final MutableClock clock = new MutableClock(ClientPki.NOW);

  private ApiSecurity security(MtlsSettings mtls, Route... routes) {
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder().mtls(mtls);
    if (!mtls.requireClientAuthEku()) {
      config.allowRisky("no-client-auth-eku");
    }
    for (Route route : routes) {
      config.route(route);
    }
    return ApiSecurity.builder(config.build()).clock(clock).auditToSystemLogger(false).build();
  }

  private MtlsSettings.Builder settings() {
    return MtlsSettings.builder().trustAnchors(PKI.rootPem).crls(PKI.crlPem);
  }

  private ApiSecurity mtlsRoute() {
    return security(settings().build(), Route.builder("GET /orders").auth(AuthMode.MTLS).build());
  }

  private Decision present(List<X509Certificate> chain) {
    return evaluate(mtlsRoute(), request("/orders", "192.0.2.10", chain));
  }

  private static Decision.Deny denied(Decision decision, DenyReason reason) {
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason()).as(deny.detail()).isEqualTo(reason);
    assertThat(deny.stage()).isEqualTo("mtls");
    return deny;
  }

  @Test
  void validLeafThroughPresentedIntermediateIsAcceptedWithItsIdentity() {
    Decision decision = present(sent(PKI.valid));
    assertThat(decision).as(detail(decision)).isInstanceOf(Decision.Allow.class);
    CertificateIdentity identity = ((Decision.Allow) decision).identity().certificate().orElseThrow();
    assertThat(identity.subject()).isEqualTo("O=Acme,CN=orders-1");
    assertThat(identity.issuer()).isEqualTo("CN=Test Intermediate");
    assertThat(identity.dnsNames()).containsExactly("orders-1.example.com");
    assertThat(identity.emails()).containsExactly("ops@example.com");
    assertThat(identity.sha256Thumbprint()).isEqualTo(Certificates.thumbprint(PKI.valid.certificate())).hasSize(43);
    assertThat(identity.serialNumber()).isEqualTo(PKI.valid.certificate().getSerialNumber().toString(16));
  }

  @Test
  void leafIssuedDirectlyByTheRootIsAccepted() {
    assertThat(present(sent(PKI.direct))).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void leafWithoutItsIntermediateIsRefusedAsUntrustedIssuer() {
    Decision.Deny deny = denied(present(List.of(PKI.valid.certificate())), DenyReason.INVALID_CERTIFICATE);
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.detail()).contains("untrusted issuer 'CN=Test Intermediate'");
  }

  @Test
  void aValidatedChainDoesNotVouchForTheSameLeafObjectPresentedWithoutItsIntermediate() {
    ApiSecurity security = mtlsRoute();
    Decision first = evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid)));
    assertThat(first).as(detail(first)).isInstanceOf(Decision.Allow.class);
    // the same certificate object as the chain's leaf, now alone: the remembered chain key must not apply
    Decision.Deny deny = denied(evaluate(security, request("/orders", "192.0.2.10", List.of(PKI.valid.certificate()))),
        DenyReason.INVALID_CERTIFICATE);
    assertThat(deny.detail()).contains("untrusted issuer 'CN=Test Intermediate'");
    Decision again = evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid)));
    assertThat(again).as(detail(again)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void leafWithoutItsIntermediateIsAcceptedWhenTheIntermediateIsConfigured() {
    ApiSecurity security = security(settings().intermediates(PKI.intermediatePem).build(),
        Route.builder("GET /orders").auth(AuthMode.MTLS).build());
    Decision decision = evaluate(security, request("/orders", "192.0.2.10", List.of(PKI.valid.certificate())));
    assertThat(decision).as(detail(decision)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void expiredLeafIsRefusedAsExpired() {
    assertThat(denied(present(sent(PKI.expired)), DenyReason.INVALID_CERTIFICATE).detail())
        .contains("'CN=expired'").contains("expired at");
  }

  @Test
  void notYetValidLeafIsRefusedAsNotYetValid() {
    assertThat(denied(present(sent(PKI.notYetValid)), DenyReason.INVALID_CERTIFICATE).detail())
        .contains("not valid yet");
  }

  @Test
  void expiryWithinTheClockSkewIsToleratedAndBeyondItRefused() {
    ApiSecurity security = mtlsRoute();
    clock.set(PKI.valid.certificate().getNotAfter().toInstant().plus(Duration.ofSeconds(30)));
    Decision withinSkew = evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid)));
    assertThat(withinSkew).as(detail(withinSkew)).isInstanceOf(Decision.Allow.class);
    clock.advance(Duration.ofSeconds(31));
    assertThat(denied(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid))),
        DenyReason.INVALID_CERTIFICATE).detail()).contains("expired at");
  }

  @Test
  void selfSignedLeafIsRefusedAsSelfSigned() {
    assertThat(denied(present(sent(PKI.selfSigned)), DenyReason.INVALID_CERTIFICATE).detail()).contains("self-signed");
  }

  @Test
  void serverAuthOnlyLeafIsRefusedForItsExtendedKeyUsage() {
    assertThat(denied(present(sent(PKI.serverOnly)), DenyReason.INVALID_CERTIFICATE).detail())
        .contains("lacks the clientAuth extended key usage");
  }

  @Test
  void serverAuthOnlyLeafPassesWhenTheEkuIsNotRequired() {
    ApiSecurity security = security(settings().requireClientAuthEku(false).build(),
        Route.builder("GET /orders").auth(AuthMode.MTLS).build());
    assertThat(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.serverOnly))))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void caCertificateAsLeafIsRefused() {
    assertThat(denied(present(sent(PKI.caLeaf)), DenyReason.INVALID_CERTIFICATE).detail())
        .contains("is a CA certificate");
  }

  @Test
  void leafRevokedByTheConfiguredCrlIsRefused() {
    assertThat(denied(present(sent(PKI.revoked)), DenyReason.INVALID_CERTIFICATE).detail()).contains("revoked");
  }

  @Test
  void revokedLeafPassesWithoutTheCrl() {
    ApiSecurity security = security(MtlsSettings.builder().trustAnchors(PKI.rootPem).build(),
        Route.builder("GET /orders").auth(AuthMode.MTLS).build());
    assertThat(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.revoked)))).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void leafOfAnUntrustedCaIsRefusedAsUntrustedIssuer() {
    assertThat(denied(present(sent(PKI.untrusted)), DenyReason.INVALID_CERTIFICATE).detail())
        .contains("untrusted issuer 'CN=Untrusted CA'");
  }

  @Test
  void missingCertificateOnAnMtlsRouteIsDeniedWith401() {
    Decision.Deny deny = denied(present(null), DenyReason.CERTIFICATE_REQUIRED);
    assertThat(deny.status()).isEqualTo(401);
  }

  @Test
  void allowListAcceptsSpiffeIdsTrustDomainsSansAndSubjectPatterns() {
    ApiSecurity security = security(settings().build(),
        Route.builder("GET /spiffe").auth(AuthMode.MTLS).allowCertificate("spiffe://example.org/ns/orders/sa/api").build(),
        Route.builder("GET /domain").auth(AuthMode.MTLS).allowCertificate("spiffe://example.org/*").build(),
        Route.builder("GET /dns").auth(AuthMode.MTLS).allowCertificate("dns:ORDERS-1.example.com").build(),
        Route.builder("GET /email").auth(AuthMode.MTLS).allowCertificate("email:ops@example.com").build(),
        Route.builder("GET /dn").auth(AuthMode.MTLS).allowCertificate("o=Acme, CN=orders-*").build(),
        Route.builder("GET /other").auth(AuthMode.MTLS).allowCertificate("spiffe://other.org/*").build());
    assertThat(evaluate(security, request("/spiffe", "192.0.2.10", sent(PKI.spiffe)))).isInstanceOf(Decision.Allow.class);
    assertThat(evaluate(security, request("/domain", "192.0.2.10", sent(PKI.spiffe)))).isInstanceOf(Decision.Allow.class);
    assertThat(evaluate(security, request("/dns", "192.0.2.10", sent(PKI.valid)))).isInstanceOf(Decision.Allow.class);
    assertThat(evaluate(security, request("/email", "192.0.2.10", sent(PKI.valid)))).isInstanceOf(Decision.Allow.class);
    assertThat(evaluate(security, request("/dn", "192.0.2.10", sent(PKI.valid)))).isInstanceOf(Decision.Allow.class);
    Decision.Deny refused = denied(evaluate(security, request("/other", "192.0.2.10", sent(PKI.spiffe))),
        DenyReason.CERTIFICATE_REFUSED);
    assertThat(refused.status()).isEqualTo(403);
    denied(evaluate(security, request("/spiffe", "192.0.2.10", sent(PKI.valid))), DenyReason.CERTIFICATE_REFUSED);
    denied(evaluate(security, request("/dn", "192.0.2.10", sent(PKI.direct))), DenyReason.CERTIFICATE_REFUSED);
  }

  @Test
  void certificateOnAPublicRouteWithAnAllowListIsCheckedButNotRequired() {
    ApiSecurity security = security(settings().build(),
        Route.builder("GET /public").auth(AuthMode.NONE).allowCertificate("dns:orders-1.example.com").build());
    assertThat(evaluate(security, request("/public", "192.0.2.10", null))).isInstanceOf(Decision.Allow.class);
    Decision allowed = evaluate(security, request("/public", "192.0.2.10", sent(PKI.valid)));
    assertThat(((Decision.Allow) allowed).identity().certificate()).isPresent();
    denied(evaluate(security, request("/public", "192.0.2.10", sent(PKI.expired))), DenyReason.INVALID_CERTIFICATE);
    denied(evaluate(security, request("/public", "192.0.2.10", sent(PKI.direct))), DenyReason.CERTIFICATE_REFUSED);
  }

  @Test
  void badAllowListPatternFailsAtStartNamingTheRoute() {
    assertThatThrownBy(() -> security(settings().build(),
        Route.builder("GET /x").auth(AuthMode.MTLS).allowCertificate("spiffe://Bad Domain/*").build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("routes.GET /x.certificates");
  }

  @Test
  void mtlsRouteWithoutTrustAnchorsFailsAtStart() {
    assertThatThrownBy(() -> security(MtlsSettings.DEFAULTS, Route.builder("GET /x").auth(AuthMode.MTLS).build()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.trust-anchors");
  }

  @Test
  void reloadSwapsTheTrustAnchorsAndKeepsTheOldOnesWhenTheFileIsBad() throws Exception {
    Path anchors = Files.copy(PKI.rootPem, PKI.directory.resolve("reloaded-" + System.nanoTime() + ".pem"));
    ApiSecurity security = security(MtlsSettings.builder().trustAnchors(anchors).build(),
        Route.builder("GET /orders").auth(AuthMode.MTLS).build());
    assertThat(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid)))).isInstanceOf(Decision.Allow.class);

    Files.writeString(anchors, "not a certificate");
    assertThatThrownBy(() -> security.certificateVerifier().reload()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("mtls.trust-anchors");
    assertThat(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid)))).isInstanceOf(Decision.Allow.class);

    TestPki.writePem(anchors, PKI.untrustedCa.certificate());
    security.certificateVerifier().reload();
    denied(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.valid))), DenyReason.INVALID_CERTIFICATE);
    assertThat(evaluate(security, request("/orders", "192.0.2.10", sent(PKI.untrusted)))).isInstanceOf(Decision.Allow.class);
  }
}
