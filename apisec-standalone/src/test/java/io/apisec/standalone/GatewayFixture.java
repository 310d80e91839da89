package io.apisec.standalone;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A gateway started in this JVM from a configuration file written to a temporary directory, with
 * development certificates ({@link DevPki}) and a {@link TestUpstream}; plus the clients tests use.
 */
final class GatewayFixture implements AutoCloseable {
  final Path dir;
  final TestUpstream upstream;
  final Path config;
  Gateway gateway;

  GatewayFixture() throws IOException {
    dir = Files.createTempDirectory("apisec-gateway-test-");
    DevPki.write(dir, "test-client", Duration.ofDays(1));
    upstream = new TestUpstream();
    config = dir.resolve("gateway.yaml");
  }

  /** The standard test configuration: https (client-auth as given), http, admin, all on port 0. */
  String yaml(String clientAuth, String upstreamExtras, String connections, String routes) {
    return "gateway:\n"
        + "  https:\n"
        + "    host: 127.0.0.1\n"
        + "    port: 0\n"
        + "    certificate: server.pem\n"
        + "    private-key: server-key.pem\n"
        + "    client-ca: ca.pem\n"
        + "    client-auth: " + clientAuth + "\n"
        + "  http: { host: 127.0.0.1, port: 0 }\n"
        + "  upstream:\n"
        + "    url: http://127.0.0.1:" + upstream.port() + "\n"
        + upstreamExtras
        + "  admin: { host: 127.0.0.1, port: 0 }\n"
        + connections
        + "  watch-config: false\n"
        + "routes:\n"
        + routes;
  }

  static final String ROUTES = "  - match: /public/**\n    auth: none\n"
      + "  - match: /slow/**\n    auth: none\n"
      + "  - match: /hop/**\n    auth: none\n"
      + "  - match: /ws/**\n    auth: none\n"
      + "  - match: POST /upload\n    auth: none\n";

  GatewayFixture start(String yaml) throws IOException {
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    gateway = Gateway.start(config);
    return this;
  }

  GatewayFixture startDefault() throws IOException {
    return start(yaml("optional", "    timeout: 2s\n", "", ROUTES));
  }

  String https(String path) {
    return "https://localhost:" + gateway.httpsPort() + path;
  }

  String http(String path) {
    return "http://127.0.0.1:" + gateway.httpPort() + path;
  }

  SSLContext clientTls(boolean withCertificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", TlsMaterial.certificates(dir.resolve(DevPki.CA)).get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withCertificate) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<X509Certificate> chain = TlsMaterial.certificates(dir.resolve(DevPki.CLIENT));
      PrivateKey key = TlsMaterial.privateKey(dir.resolve(DevPki.CLIENT_KEY));
      keys.setKeyEntry("client", key, "x".toCharArray(), chain.toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "x".toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  HttpClient client() throws Exception {
    return HttpClient.newBuilder().sslContext(clientTls(false)).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> get(HttpClient client, String url, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends raw bytes over TLS and reads until the server closes or {@code Connection: close} ends it. */
  String rawHttps(String request) throws Exception {
    try (SSLSocket socket = (SSLSocket) clientTls(false).getSocketFactory().createSocket("127.0.0.1", gateway.httpsPort())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return readResponse(socket.getInputStream());
    }
  }

  /** Reads one response: the head, then as many body bytes as its Content-Length says. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
    if (length.find()) {
      text += new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.ISO_8859_1);
    }
    return text;
  }

  static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) > 0) {
      buffer.write(chunk, 0, n);
    }
    return buffer.toString(StandardCharsets.ISO_8859_1);
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }
}
