package io.apisec.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.config.OcspSettings;
import io.apisec.testing.LocalOcspResponder;
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
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real TLS handshakes through the servlet filter in Jetty 12 with OCSP in hard-fail mode against
 * a real responder on 127.0.0.1: a client whose certificate the responder reports revoked is
 * refused, a good one reaches the servlet, and the asynchronous check completes the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyOcspIT {
  private final Issued serverCa = TestPki.rootCa("Server CA");
  private final Issued root = TestPki.rootCa("Client Root");
  private final EchoServlet echo = new EchoServlet();
  private LocalOcspResponder responder;
  private Issued good;
  private Issued revoked;
  private ServletContainers.Running jetty;
  private ApiSecurity security;

  @BeforeAll
  void start() throws Exception {
    responder = LocalOcspResponder.start(root, Clock.systemUTC());
    good = TestPki.spec("orders-1").organization("Acme").clientAuth().ocspUrl(responder.url()).issuedBy(root);
    revoked = TestPki.spec("stolen").clientAuth().ocspUrl(responder.url()).issuedBy(root);
    responder.answer(good.certificate(), LocalOcspResponder.Answer.GOOD)
        .answer(revoked.certificate(), LocalOcspResponder.Answer.REVOKED);
    Path dir = Files.createTempDirectory("jetty-ocsp");
    MtlsSettings mtls = MtlsSettings.builder()
        .trustAnchors(TestPki.writePem(dir.resolve("root.pem"), root.certificate()))
        .ocsp(OcspSettings.builder().mode(OcspSettings.Mode.HARD_FAIL).timeout(Duration.ofSeconds(5)).build())
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
    responder.close();
  }

  private HttpResponse<String> call(Issued leaf) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("key", leaf.key(), TestPki.password().toCharArray(), leaf.fullChain());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, TestPki.password().toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(TestPki.trustStore(serverCa.certificate()));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    HttpClient client = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build();
    return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + jetty.port() + "/partner/catalog"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void certificateTheResponderReportsRevokedIsRefusedAfterTheHandshake() throws Exception {
    HttpResponse<String> response = call(revoked);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.body()).contains("urn:apisec:problem:invalid-certificate")
        .contains("is revoked by its OCSP responder").contains("\"revocation\":\"revoked\"");
  }

  @Test
  void certificateTheResponderReportsGoodReachesTheServlet() throws Exception {
    HttpResponse<String> response = call(good);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Echo-Principal")).hasValue("O=Acme,CN=orders-1");
    assertThat(responder.requests()).isPositive();
  }
}
