package io.apisec.mtls;

import static io.apisec.mtls.ClientPki.sent;
import static io.apisec.mtls.Requests.detail;
import static io.apisec.mtls.Requests.evaluate;
import static io.apisec.mtls.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuditEvent;
import io.apisec.AuthMode;
import io.apisec.CertificateIdentity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.JsonLinesAuditLog;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings.ForwardedFormat;
import io.apisec.config.MtlsSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ForwardedCertificateTest {
  private static final ClientPki PKI = ClientPki.INSTANCE;
  private static final String PROXY = "10.0.0.5";
  private static final String CLIENT = "192.0.2.10";
  private final MutableClock clock = new MutableClock(ClientPki.NOW);

  private ApiSecurity security(MtlsSettings.Builder mtls) {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .trustedProxies("10.0.0.0/8")
        .mtls(mtls.trustAnchors(PKI.rootPem).crls(PKI.crlPem).build())
        .route(Route.builder("GET /orders").auth(AuthMode.MTLS).build())
        .build();
    return ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
  }

  private ApiSecurity security(ForwardedFormat format) {
    return security(MtlsSettings.builder().forwardedHeader(format));
  }

  private static CertificateIdentity allowed(Decision decision) {
    assertThat(decision).as(detail(decision)).isInstanceOf(Decision.Allow.class);
    return ((Decision.Allow) decision).identity().certificate().orElseThrow();
  }

  private static Decision.Deny denied(Decision decision, DenyReason reason) {
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason()).as(deny.detail()).isEqualTo(reason);
    return deny;
  }

  @Test
  void xfccFromATrustedProxyIsAcceptedWithItsChain() {
    String header = Forwarding.xfcc(sent(PKI.spiffe));
    CertificateIdentity identity = allowed(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", PROXY, null, "X-Forwarded-Client-Cert", header)));
    assertThat(identity.spiffeId()).contains("spiffe://example.org/ns/orders/sa/api");
    assertThat(SpiffeId.of(identity)).contains(new SpiffeId("example.org", "/ns/orders/sa/api"));
  }

  @Test
  void xfccWithSeveralElementsUsesTheOneTheNearestProxyAppended() {
    String header = Forwarding.xfcc(sent(PKI.direct)) + "," + Forwarding.xfcc(sent(PKI.valid));
    CertificateIdentity identity = allowed(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", PROXY, null, "X-Forwarded-Client-Cert", header)));
    assertThat(identity.subject()).isEqualTo("O=Acme,CN=orders-1");
  }

  @Test
  void anIgnoredForwardedCertificateOnAnAllowedRequestIsNotedInTheAuditEvent() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .trustedProxies("10.0.0.0/8")
        .mtls(MtlsSettings.builder().forwardedHeader(ForwardedFormat.XFCC).trustAnchors(PKI.rootPem).build())
        .route(Route.builder("GET /public").auth(AuthMode.NONE).allowCertificate("o=Acme, CN=*").build())
        .build();
    ApiSecurity security = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false)
        .listener(events::add).build();
    Decision decision = evaluate(security,
        request("/public", CLIENT, null, "X-Forwarded-Client-Cert", Forwarding.xfcc(sent(PKI.valid))));
    assertThat(decision).as(detail(decision)).isInstanceOf(Decision.Allow.class);
    assertThat(events).singleElement().satisfies(event -> {
      assertThat(event.allowed()).isTrue();
      assertThat(event.notes()).containsExactly("ignored-forwarded-certificate:x-forwarded-client-cert");
      assertThat(JsonLinesAuditLog.toJson(event)).contains("\"notes\":[\"ignored-forwarded-certificate:x-forwarded-client-cert\"]");
    });
  }

  @Test
  void xfccFromAnUntrustedPeerIsIgnoredAndTheAttemptShown() {
    String header = Forwarding.xfcc(sent(PKI.valid));
    Decision.Deny deny = denied(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", CLIENT, null, "X-Forwarded-Client-Cert", header)), DenyReason.CERTIFICATE_REQUIRED);
    assertThat(deny.detail()).contains("x-forwarded-client-cert header was ignored");
    assertThat(deny.problemMembers()).containsEntry("ignoredForwardedCertificate", "x-forwarded-client-cert");
    assertThat(new String(deny.body(), StandardCharsets.UTF_8)).contains("ignoredForwardedCertificate");
  }

  @Test
  void forgedXfccFromAnUntrustedPeerNeverReplacesItsOwnTlsCertificate() {
    String forged = Forwarding.xfcc(sent(PKI.spiffe));
    CertificateIdentity identity = allowed(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", CLIENT, sent(PKI.valid), "X-Forwarded-Client-Cert", forged)));
    assertThat(identity.subject()).isEqualTo("O=Acme,CN=orders-1");
  }

  @Test
  void aTrustedProxysOwnTlsCertificateIsNeverTakenForTheClients() {
    denied(evaluate(security(ForwardedFormat.XFCC), request("/orders", PROXY, sent(PKI.valid))),
        DenyReason.CERTIFICATE_REQUIRED);
  }

  @Test
  void xfccElementWithoutCertYieldsNoCertificate() {
    denied(evaluate(security(ForwardedFormat.XFCC), request("/orders", PROXY, null,
        "X-Forwarded-Client-Cert", "By=spiffe://example.org/gw;Hash=" + "ab".repeat(32) + ";Subject=\"CN=x\"")),
        DenyReason.CERTIFICATE_REQUIRED);
  }

  @Test
  void forwardedExpiredCertificateIsRefusedForItsExpiry() {
    Decision.Deny deny = denied(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", PROXY, null, "X-Forwarded-Client-Cert", Forwarding.xfcc(sent(PKI.expired)))),
        DenyReason.INVALID_CERTIFICATE);
    assertThat(deny.detail()).contains("forwarded x-forwarded-client-cert").contains("expired at");
  }

  @Test
  void urlEncodedPemFromATrustedProxyIsAcceptedUnderAConfiguredHeaderName() {
    ApiSecurity security = security(MtlsSettings.builder().forwardedHeader(ForwardedFormat.PEM, "SSL-Client-Cert", ""));
    CertificateIdentity identity = allowed(evaluate(security,
        request("/orders", PROXY, null, "ssl-client-cert", Forwarding.pemHeader(sent(PKI.valid)))));
    assertThat(identity.subject()).isEqualTo("O=Acme,CN=orders-1");
    denied(evaluate(security, request("/orders", CLIENT, null, "ssl-client-cert", Forwarding.pemHeader(sent(PKI.valid)))),
        DenyReason.CERTIFICATE_REQUIRED);
  }

  @Test
  void base64DerAsHaproxySendsItIsAcceptedWhenTheIntermediateIsConfigured() {
    ApiSecurity security = security(MtlsSettings.builder().intermediates(PKI.intermediatePem)
        .forwardedHeader(ForwardedFormat.PEM));
    String der = java.util.Base64.getEncoder().encodeToString(Forwarding.der(PKI.valid.certificate()));
    allowed(evaluate(security, request("/orders", PROXY, null, "X-SSL-Client-Cert", der)));
  }

  @Test
  void rfc9440ClientCertAndChainFromATrustedProxyAreAccepted() {
    CertificateIdentity identity = allowed(evaluate(security(ForwardedFormat.RFC9440), request("/orders", PROXY, null,
        "Client-Cert", Forwarding.sfBinary(PKI.valid.certificate()),
        "Client-Cert-Chain", Forwarding.sfChain(List.of(PKI.intermediate.certificate())))));
    assertThat(identity.sha256Thumbprint()).isEqualTo(Certificates.thumbprint(PKI.valid.certificate()));
  }

  @Test
  void rfc9440LeafWithoutItsChainIsRefusedAsUntrustedIssuer() {
    Decision.Deny deny = denied(evaluate(security(ForwardedFormat.RFC9440), request("/orders", PROXY, null,
        "Client-Cert", Forwarding.sfBinary(PKI.valid.certificate()))), DenyReason.INVALID_CERTIFICATE);
    assertThat(deny.detail()).contains("untrusted issuer");
  }

  @Test
  void rfc9440FromAnUntrustedPeerIsIgnored() {
    denied(evaluate(security(ForwardedFormat.RFC9440), request("/orders", CLIENT, null,
        "Client-Cert", Forwarding.sfBinary(PKI.direct.certificate()))), DenyReason.CERTIFICATE_REQUIRED);
  }

  @Test
  void malformedForwardedHeadersFromATrustedProxyAreRefusedWith400() {
    String cert = Forwarding.urlEncode(io.apisec.testing.TestPki.pem(PKI.valid.certificate()));
    List<String> xfcc = List.of(
        "Cert=\"" + cert,
        "Cert=" + cert.substring(0, 40) + "\"",
        "Hash=" + "00".repeat(32) + ";Cert=\"" + cert + "\"",
        "Cert=\"" + cert + "\";Cert=\"" + cert + "\"",
        "Evil=1;Cert=\"" + cert + "\"",
        "Cert=\"%ZZ\"",
        "Cert=\"" + cert + "\";URI=spiffe://evil.org/x",
        "Cert=\"" + cert + "\",",
        ";",
        "Chain=\"" + cert + "\"");
    ApiSecurity xfccSecurity = security(ForwardedFormat.XFCC);
    for (String header : xfcc) {
      Decision.Deny deny = denied(evaluate(xfccSecurity, request("/orders", PROXY, null, "X-Forwarded-Client-Cert", header)),
          DenyReason.BAD_FORWARDED_CERTIFICATE);
      assertThat(deny.status()).isEqualTo(400);
    }
    ApiSecurity pemSecurity = security(ForwardedFormat.PEM);
    for (String header : List.of("-----BEGIN CERTIFICATE-----", cert + "%0Agarbage", "%2D%2D%2D", cert + "%2",
        cert.substring(0, cert.length() / 2), "@@@")) {
      denied(evaluate(pemSecurity, request("/orders", PROXY, null, "X-SSL-Client-Cert", header)),
          DenyReason.BAD_FORWARDED_CERTIFICATE);
    }
    denied(evaluate(pemSecurity, request("/orders", PROXY, null, "X-SSL-Client-Cert", cert, "X-SSL-Client-Cert", cert)),
        DenyReason.BAD_FORWARDED_CERTIFICATE);
    ApiSecurity sfSecurity = security(ForwardedFormat.RFC9440);
    String good = Forwarding.sfBinary(PKI.valid.certificate());
    for (String header : List.of(good.substring(1), ":!!:", good + ";a=1", good + ", " + good, ":AAAA:", "", "token")) {
      denied(evaluate(sfSecurity, request("/orders", PROXY, null, "Client-Cert", header)),
          DenyReason.BAD_FORWARDED_CERTIFICATE);
    }
    denied(evaluate(sfSecurity, request("/orders", PROXY, null, "Client-Cert-Chain", good)),
        DenyReason.BAD_FORWARDED_CERTIFICATE);
    denied(evaluate(sfSecurity, request("/orders", PROXY, null, "Client-Cert", good, "Client-Cert-Chain", "::,")),
        DenyReason.BAD_FORWARDED_CERTIFICATE);
  }

  @Test
  void malformedForwardedHeaderFromAnUntrustedPeerIsIgnoredNotRefusedAsMalformed() {
    denied(evaluate(security(ForwardedFormat.XFCC), request("/orders", CLIENT, null, "X-Forwarded-Client-Cert", "Cert=\"")),
        DenyReason.CERTIFICATE_REQUIRED);
  }

  @Test
  void quotedXfccSubjectWithEscapedQuotesAndSeparatorsParses() {
    String header = Forwarding.xfcc(sent(PKI.valid)).replace("Subject=\"", "Subject=\"O=\\\"Acme, Inc\\\";x=y,");
    assertThat(allowed(evaluate(security(ForwardedFormat.XFCC),
        request("/orders", PROXY, null, "X-Forwarded-Client-Cert", header))).subject()).isEqualTo("O=Acme,CN=orders-1");
  }
}
