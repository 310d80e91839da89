package io.apisec.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.testing.TestPki;
import io.apisec.testing.TestPki.Issued;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real TLS handshakes: a JDK HTTPS server on 127.0.0.1 that wants (not needs) a client
 * certificate and trusts any, so the pipeline alone decides; clients present each test leaf —
 * through its intermediate, issued by the root directly, and without its intermediate — and the
 * request view is built from the server-side SSLSession's peer chain, as an adapter builds it.
 */
class MtlsHandshakeIT {
  private static final ClientPki PKI = ClientPki.INSTANCE;
  private static final Issued SERVER_CA = TestPki.rootCa("Server CA");
  private static HttpsServer server;
  private static ApiSecurity security;

  @BeforeAll
  static void start() throws Exception {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .mtls(MtlsSettings.builder().trustAnchors(PKI.rootPem).crls(PKI.crlPem).build())
        .route(Route.builder("GET /orders").auth(AuthMode.MTLS).build())
        .route(Route.builder("GET /spiffe").auth(AuthMode.MTLS).allowCertificate("spiffe://example.org/*").build())
        .build();
    security = ApiSecurity.builder(config).auditToSystemLogger(false).build();
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverContext()) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
        ssl.setWantClientAuth(true);
        params.setSSLParameters(ssl);
      }
    });
    server.createContext("/", exchange -> {
      HttpsExchange https = (HttpsExchange) exchange;
      List<X509Certificate> chain = new ArrayList<>();
      try {
        for (Certificate certificate : https.getSSLSession().getPeerCertificates()) {
          chain.add((X509Certificate) certificate);
        }
      } catch (SSLPeerUnverifiedException noCertificate) {
        // the client sent none: the chain stays empty
      }
      RequestView view = RequestView.builder()
          .method(exchange.getRequestMethod())
          .target(exchange.getRequestURI().getRawPath())
          .headers(Headers.empty())
          .remoteAddress(exchange.getRemoteAddress())
          .tls(new TlsInfo(https.getSSLSession().getProtocol(), https.getSSLSession().getCipherSuite(), chain))
          .build();
      Decision decision = security.evaluate(view).toCompletableFuture().join();
      String body = decision instanceof Decision.Deny
          ? ((Decision.Deny) decision).reason().slug() + ": " + ((Decision.Deny) decision).detail()
          : "allowed " + ((Decision.Allow) decision).identity().certificate().map(c -> c.subject()).orElse("");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(decision.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static SSLContext serverContext() throws Exception {
    Issued serverCert = TestPki.localhostServer(SERVER_CA);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(serverCert.keyStore(), TestPki.password().toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new AnyClient()}, new SecureRandom());
    return context;
  }

  /** Accepts every client chain during the handshake: the transport is looser than the pipeline on purpose. */
  private static final class AnyClient extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("server side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static HttpResponse<String> call(Issued client, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder()
        .sslContext(TestPki.clientContext(client, SERVER_CA.certificate()))
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The leaf alone, as a client that lacks its intermediate would send it. */
  private static Issued withoutIntermediate(Issued leaf) {
    return new Issued(leaf.certificate(), leaf.key(), List.of());
  }

  private static void assertOutcome(Issued client, String path, int status, String bodyFragment) throws Exception {
    HttpResponse<String> response = call(client, path);
    assertThat(response.body()).contains(bodyFragment);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
  }

  @Test
  void validLeafSentWithItsIntermediateIsAccepted() throws Exception {
    assertOutcome(PKI.valid, "/orders", 200, "allowed O=Acme,CN=orders-1");
  }

  @Test
  void leafIssuedByTheRootIsAccepted() throws Exception {
    assertOutcome(PKI.direct, "/orders", 200, "allowed O=Acme,CN=billing");
  }

  @Test
  void validLeafSentWithoutItsIntermediateIsRefusedAsUntrustedIssuer() throws Exception {
    assertOutcome(withoutIntermediate(PKI.valid), "/orders", 401, "invalid-certificate: ");
    assertOutcome(withoutIntermediate(PKI.valid), "/orders", 401, "untrusted issuer 'CN=Test Intermediate'");
  }

  @Test
  void noClientCertificateIsRefusedAsRequired() throws Exception {
    assertOutcome(null, "/orders", 401, "certificate-required");
  }

  @Test
  void expiredLeafIsRefusedAsExpired() throws Exception {
    assertOutcome(PKI.expired, "/orders", 401, "expired at");
  }

  @Test
  void notYetValidLeafIsRefusedAsNotYetValid() throws Exception {
    assertOutcome(PKI.notYetValid, "/orders", 401, "not valid yet");
  }

  @Test
  void selfSignedLeafIsRefusedAsSelfSigned() throws Exception {
    assertOutcome(PKI.selfSigned, "/orders", 401, "self-signed");
  }

  @Test
  void serverAuthOnlyLeafIsRefusedForItsExtendedKeyUsage() throws Exception {
    assertOutcome(PKI.serverOnly, "/orders", 401, "lacks the clientAuth extended key usage");
  }

  @Test
  void caCertificateAsLeafIsRefused() throws Exception {
    assertOutcome(PKI.caLeaf, "/orders", 401, "is a CA certificate");
  }

  @Test
  void revokedLeafIsRefusedAsRevoked() throws Exception {
    assertOutcome(PKI.revoked, "/orders", 401, "is revoked");
  }

  @Test
  void leafOfAnUntrustedCaIsRefusedAsUntrustedIssuer() throws Exception {
    assertOutcome(PKI.untrusted, "/orders", 401, "untrusted issuer 'CN=Untrusted CA'");
  }

  @Test
  void spiffeLeafIsAllowedOnItsTrustDomainRouteAndOthersRefusedWith403() throws Exception {
    assertOutcome(PKI.spiffe, "/spiffe", 200, "allowed CN=workload");
    assertOutcome(PKI.valid, "/spiffe", 403, "certificate-refused");
  }

}
