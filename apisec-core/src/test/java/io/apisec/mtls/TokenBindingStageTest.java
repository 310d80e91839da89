package io.apisec.mtls;

import static io.apisec.mtls.ClientPki.sent;
import static io.apisec.mtls.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.Attributes;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.RequestView;
import io.apisec.StageRunner;
import io.apisec.Stage;
import io.apisec.config.MtlsSettings;
import io.apisec.internal.IpRange;
import io.apisec.internal.TrustedProxies;
import io.apisec.testing.TestPki.Issued;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenBindingStageTest {
  private static final ClientPki PKI = ClientPki.INSTANCE;
  private static final TrustedProxies PROXIES = new TrustedProxies(List.of(IpRange.parse("10.0.0.0/8")));
  private final MutableClock clock = new MutableClock(ClientPki.NOW);

  private Stage stage(MtlsSettings.Builder settings) {
    return CertificateVerifier.create(settings.build(), PROXIES, clock).tokenBindingStage();
  }

  private Stage withAnchors() {
    return stage(MtlsSettings.builder().trustAnchors(PKI.rootPem).forwardedHeader(MtlsSettings.ForwardedFormat.XFCC));
  }

  private static Attributes boundTo(Issued certificate) {
    return claims(Map.of("sub", "alice", "cnf", Map.of("x5t#S256", Certificates.thumbprint(certificate.certificate()))));
  }

  private static Attributes claims(Map<String, Object> values) {
    Attributes attributes = new Attributes();
    attributes.put(Attributes.CLAIMS, new Claims(values));
    return attributes;
  }

  private static void invalidToken(Decision decision, String detail) {
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason()).isEqualTo(DenyReason.INVALID_TOKEN);
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.stage()).isEqualTo("jwt");
    assertThat(deny.detail()).contains(detail);
  }

  private static Decision run(Stage stage, RequestView request, Attributes attributes) {
    return StageRunner.run("jwt", stage, request, attributes);
  }

  @Test
  void boundTokenWithItsCertificateOverTlsIsAccepted() {
    assertThat(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.valid)), boundTo(PKI.valid)))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void boundTokenWithAnotherCertificateIsRefused() {
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.direct)), boundTo(PKI.valid)),
        "bound to another client certificate");
  }

  @Test
  void boundTokenWithoutACertificateIsRefused() {
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", null), boundTo(PKI.valid)), "none was presented");
  }

  @Test
  void boundTokenUsesTheCertificateTheMtlsStageVerified() {
    Attributes attributes = boundTo(PKI.valid);
    attributes.put(Attributes.CERTIFICATE, Certificates.identity(PKI.valid.certificate()));
    assertThat(run(withAnchors(), request("/", "192.0.2.10", null), attributes)).isInstanceOf(Decision.Allow.class);
    Attributes other = boundTo(PKI.valid);
    other.put(Attributes.CERTIFICATE, Certificates.identity(PKI.direct.certificate()));
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.valid)), other), "another client certificate");
  }

  @Test
  void boundTokenWithItsCertificateForwardedByATrustedProxyIsAccepted() {
    String xfcc = Forwarding.xfcc(sent(PKI.valid));
    assertThat(run(withAnchors(), request("/", "10.0.0.5", null, "X-Forwarded-Client-Cert", xfcc), boundTo(PKI.valid)))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void boundTokenWithItsCertificateForgedInAHeaderByAnUntrustedPeerIsRefused() {
    String xfcc = Forwarding.xfcc(sent(PKI.valid));
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", null, "X-Forwarded-Client-Cert", xfcc), boundTo(PKI.valid)),
        "none was presented");
  }

  @Test
  void boundTokenWithAnInvalidPresentedCertificateIsRefusedWhenAnchorsAreConfigured() {
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.selfSigned)), boundTo(PKI.selfSigned)),
        "self-signed");
  }

  @Test
  void boundTokenWithASelfSignedCertificatePassesWithoutTrustAnchors() {
    assertThat(run(stage(MtlsSettings.builder()), request("/", "192.0.2.10", sent(PKI.selfSigned)), boundTo(PKI.selfSigned)))
        .isInstanceOf(Decision.Allow.class);
  }

  @Test
  void tokensWithoutCertificateBindingPassUntouched() {
    assertThat(run(withAnchors(), request("/", "192.0.2.10", null), claims(Map.of("sub", "alice"))))
        .isInstanceOf(Decision.Allow.class);
    assertThat(run(withAnchors(), request("/", "192.0.2.10", null), claims(Map.of("cnf", Map.of("jkt", "abc")))))
        .isInstanceOf(Decision.Allow.class);
    assertThat(run(withAnchors(), request("/", "192.0.2.10", null), new Attributes())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void malformedConfirmationClaimsAreRefused() {
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.valid)), claims(Map.of("cnf", "x"))),
        "cnf claim is not an object");
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.valid)),
        claims(Map.of("cnf", Map.of("x5t#S256", "short")))), "not a base64url SHA-256");
    invalidToken(run(withAnchors(), request("/", "192.0.2.10", sent(PKI.valid)),
        claims(Map.of("cnf", Map.of("x5t#S256", 42)))), "not a base64url SHA-256");
  }
}
