package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The TLS listener: only TLS 1.3 and 1.2 with AEAD suites, client certificates required or
 * optional, and server keys in each PEM format. The test JVM's clients may offer old protocols and
 * CBC suites (see legacy-tls-client.security), so each refusal is the gateway's.
 */
class TlsIT {

  @Test
  void tls10And11AreRefusedWhileTls12And13Pass() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture().startDefault()) {
      for (String old : new String[] {"TLSv1", "TLSv1.1"}) {
        assertThatThrownBy(() -> handshake(fixture, false, old, null))
            .as(old).isInstanceOf(SSLException.class);
      }
      assertThat(handshake(fixture, false, "TLSv1.2", null)).startsWith("HTTP/1.1 200");
      assertThat(handshake(fixture, false, "TLSv1.3", null)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void nonAeadSuitesAreRefused() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture().startDefault()) {
      assertThatThrownBy(() -> handshake(fixture, false, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"))
          .isInstanceOf(SSLException.class);
      assertThatThrownBy(() -> handshake(fixture, false, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"))
          .isInstanceOf(SSLException.class);
      assertThat(handshake(fixture, false, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void requiredClientCertificateRefusesClientsWithoutOne() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.start(fixture.yaml("required", "", "", GatewayFixture.ROUTES));

      assertThatThrownBy(() -> handshake(fixture, false, "TLSv1.3", null)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> handshake(fixture, false, "TLSv1.2", null)).isInstanceOf(IOException.class);
      assertThat(handshake(fixture, true, "TLSv1.3", null)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void optionalClientCertificateLetsBothKindsOfClientIn() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture().startDefault()) {
      assertThat(handshake(fixture, false, "TLSv1.3", null)).startsWith("HTTP/1.1 200");
      assertThat(handshake(fixture, true, "TLSv1.3", null)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void rsaKeyInPkcs1PemServes() throws Exception {
    assertServesWithKey("RSA", false);
  }

  @Test
  void rsaKeyInPkcs8PemServes() throws Exception {
    assertServesWithKey("RSA", true);
  }

  @Test
  void ecKeyInSec1PemServes() throws Exception {
    assertServesWithKey("EC", false);
  }

  /** Makes the key with openssl, as operators do, then serves with it and checks what a client sees. */
  private void assertServesWithKey(String algorithm, boolean pkcs8) throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      Path key = fixture.dir.resolve("server-key.pem");
      Path certificate = fixture.dir.resolve("server.pem");
      if (algorithm.equals("RSA")) {
        openssl(pkcs8 ? List.of("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString())
            : List.of("genrsa", "-traditional", "-out", key.toString(), "2048"));
      } else {
        openssl(List.of("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString()));
      }
      openssl(List.of("req", "-new", "-x509", "-key", key.toString(), "-subj", "/CN=localhost",
          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1", "-out", certificate.toString()));
      String header = Files.readString(key).lines().findFirst().orElse("");
      assertThat(header).isEqualTo(pkcs8 ? "-----BEGIN PRIVATE KEY-----"
          : algorithm.equals("RSA") ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----");
      fixture.start(fixture.yaml("none", "", "", GatewayFixture.ROUTES));

      X509Certificate served = TlsMaterial.certificates(certificate).get(0);
      SSLContext trustingServer = SSLContext.getInstance("TLS");
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", served);
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      trustingServer.init(null, tmf.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) trustingServer.getSocketFactory().createSocket("localhost", fixture.gateway.httpsPort())) {
        socket.startHandshake();
        assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(served);
      }
    }
  }

  @Test
  void keyOfAnotherCertificateIsRefusedAtStart() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      Files.copy(fixture.dir.resolve(DevPki.CLIENT_KEY), fixture.dir.resolve(DevPki.SERVER_KEY),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(fixture.config, fixture.yaml("none", "", "", GatewayFixture.ROUTES));

      assertThatThrownBy(() -> Gateway.start(fixture.config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not belong to the certificate");
    }
  }

  private static void openssl(List<String> arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add("openssl");
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("openssl %s: %s", arguments, output).isZero();
  }

  @Test
  void encryptedOrMissingKeyIsRefusedAtStartNamingTheFile() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      Files.writeString(fixture.dir.resolve("server-key.pem"), "not a key\n");
      Files.writeString(fixture.config, fixture.yaml("none", "", "", GatewayFixture.ROUTES));

      assertThatThrownBy(() -> Gateway.start(fixture.config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("server-key.pem");
    }
  }

  /** Connects with exactly these protocols (and suite), sends a GET and returns the response head. */
  private static String handshake(GatewayFixture fixture, boolean clientCertificate, String protocol, String suite)
      throws Exception {
    try (SSLSocket socket = (SSLSocket) fixture.clientTls(clientCertificate).getSocketFactory()
        .createSocket("127.0.0.1", fixture.gateway.httpsPort())) {
      socket.setSoTimeout(10_000);
      socket.setEnabledProtocols(new String[] {protocol});
      if (suite != null) {
        socket.setEnabledCipherSuites(new String[] {suite});
      }
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write("GET /public/tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = GatewayFixture.readAll(in);
      if (response.isEmpty()) {
        throw new IOException("closed without an answer");
      }
      return response;
    }
  }

}
