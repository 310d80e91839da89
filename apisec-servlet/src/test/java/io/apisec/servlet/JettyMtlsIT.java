package io.apisec.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.testing.TestPki;
import io.apisec.testing.TestPki.Issued;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real TLS handshakes through the servlet filter in Jetty 12: Jetty accepts any client chain and
 * the mTLS stage decides, so each test leaf is accepted or refused for its documented reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyMtlsIT {
  private static final Instant NOW = Instant.now();
  private final Issued serverCa = TestPki.rootCa("Server CA");
  private final Issued root = TestPki.rootCa("Client Root");
  private final Issued intermediate = TestPki.spec("Client Intermediate").ca().issuedBy(root);
  private final Issued valid = TestPki.spec("orders-1").organization("Acme").clientAuth().issuedBy(intermediate);
  private final Issued expired = TestPki.spec("expired").clientAuth()
      .validity(NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1))).issuedBy(intermediate);
  private final Issued notYetValid = TestPki.spec("future").clientAuth()
      .validity(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30))).issuedBy(intermediate);
  private final Issued selfSigned = TestPki.spec("self").clientAuth().selfSigned();
  private final Issued serverOnly = TestPki.spec("server-only").serverAuth().issuedBy(intermediate);
  private final Issued caLeaf = TestPki.spec("ca-leaf").ca().clientAuth().issuedBy(intermediate);
  private final Issued revoked = TestPki.spec("revoked").clientAuth().issuedBy(intermediate);
  private final Issued untrusted = TestPki.spec("intruder").clientAuth().issuedBy(TestPki.rootCa("Untrusted CA"));
  private final EchoServlet echo = new EchoServlet();
  private ServletContainers.Running jetty;
  private ApiSecurity security;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createTempDirectory("jetty-mtls");
    MtlsSettings mtls = MtlsSettings.builder()
        .trustAnchors(TestPki.writePem(dir.resolve("root.pem"), root.certificate()))
        .crls(TestPki.writePem(dir.resolve("intermediate.crl"),
            TestPki.crl(intermediate, NOW.minus(Duration.ofMinutes(5)), revoked.certificate())))
        .build();
    security = ApiSecurity.builder(ApiSecurityConfig.builder().mtls(mtls)
            .route(Route.builder("GET /partner/**").auth(AuthMode.MTLS).build()).build())
        .auditToSystemLogger(false).build();
    jetty = ServletContainers.jetty(security, echo, TestPki.localhostServer(serverCa).keyStore(), null);
  }

  @AfterAll
  void stop() throws Exception {
    jetty.stopper().close();
    security.close();
  }

  private HttpResponse<String> call(KeyStore clientKeys) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (clientKeys != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(clientKeys, TestPki.password().toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TestPki.trustStore(serverCa.certificate()));
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    HttpClient client = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build();
    return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + jetty.port() + "/partner/catalog"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The leaf and its intermediates, as a client sends them. */
  private static KeyStore sending(Issued leaf, boolean withIntermediates) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    X509Certificate[] chain = withIntermediates ? leaf.fullChain() : new X509Certificate[] {leaf.certificate()};
    store.setKeyEntry("key", leaf.key(), TestPki.password().toCharArray(), chain);
    return store;
  }

  private void assertRefused(HttpResponse<String> response, String slug, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(response.body()).contains("urn:apisec:problem:" + slug).contains(reason);
  }

  @Test
  void validLeafWithItsIntermediateReachesTheServletWithItsIdentity() throws Exception {
    HttpResponse<String> response = call(sending(valid, true));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Echo-Principal")).hasValue("O=Acme,CN=orders-1");
  }

  @Test
  void leafWithoutItsIntermediateIsRefusedAsUntrustedIssuer() throws Exception {
    assertRefused(call(sending(valid, false)), "invalid-certificate", "untrusted issuer");
  }

  @Test
  void noCertificateIsRefusedAsRequired() throws Exception {
    assertRefused(call(null), "certificate-required", "certificate");
  }

  @Test
  void expiredNotYetValidSelfSignedWrongUsageCaRevokedAndUntrustedLeavesAreRefusedForTheirReason() throws Exception {
    int servedBefore = echo.served.size();
    assertRefused(call(sending(expired, true)), "invalid-certificate", "expired at");
    assertRefused(call(sending(notYetValid, true)), "invalid-certificate", "not valid yet");
    assertRefused(call(sending(selfSigned, true)), "invalid-certificate", "self-signed");
    assertRefused(call(sending(serverOnly, true)), "invalid-certificate", "lacks the clientAuth extended key usage");
    assertRefused(call(sending(caLeaf, true)), "invalid-certificate", "is a CA certificate");
    assertRefused(call(sending(revoked, true)), "invalid-certificate", "is revoked");
    assertRefused(call(sending(untrusted, true)), "invalid-certificate", "untrusted issuer 'CN=Untrusted CA'");
    assertThat(echo.served).hasSize(servedBefore);
  }
}
