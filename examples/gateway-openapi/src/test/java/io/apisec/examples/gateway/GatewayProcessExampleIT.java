package io.apisec.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import io.apisec.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example run for real: {@code java -jar apisec-standalone.jar --config gateway.yaml} over HTTPS
 * (a certificate from a test CA) in front of the sample upstream, with the example's files (only the
 * ports and the issuer changed).
 */
class GatewayProcessExampleIT {
  private static final Pattern HTTPS_PORT = Pattern.compile("\"message\":\"https listening\".*\"port\":\"?(\\d+)");

  @TempDir static Path directory;
  static TestIssuer issuer;
  static TestKey key = TestKey.rsa("example-key");
  static OrdersUpstream upstream;
  static Process gateway;
  static Path log;
  static String base;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    issuer = TestIssuer.start(Clock.systemUTC()).publish(key);
    upstream = OrdersUpstream.start(0);
    String yaml = resource("/gateway.yaml")
        .replace("http://127.0.0.1:8180/issuer", issuer.issuer())
        .replace("port: 8443", "port: 0")
        .replace("url: http://127.0.0.1:9000", "url: http://127.0.0.1:" + upstream.port())
        .replace("admin: { host: 127.0.0.1, port: 9901 }", "admin: { host: 127.0.0.1, port: 0 }");
    assertThat(yaml).doesNotContain("8443").doesNotContain(":9000").doesNotContain("9901");
    Path config = Files.writeString(directory.resolve("gateway.yaml"), yaml);
    Files.writeString(directory.resolve("orders-api.yaml"), resource("/orders-api.yaml"));
    TestPki.Issued ca = TestPki.rootCa("Example CA");
    TestPki.Issued server = TestPki.localhostServer(ca);
    Path certs = Files.createDirectories(directory.resolve("certs"));
    Files.writeString(certs.resolve("server.pem"), server.certificatePem());
    // PKCS#8, as `certs` writes it
    Files.writeString(certs.resolve("server-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(server.key().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(TestPki.trustStore(ca.certificate()));
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(tls).build();

    String jar = System.getProperty("apisec.standalone.jar", "../../apisec-standalone/target/apisec-standalone.jar");
    if (!Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("the gateway's jar is missing: " + jar + " (mvn verify packages it first)");
    }
    log = directory.resolve("gateway.log");
    gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar, "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    base = "https://127.0.0.1:" + awaitHttpsPort();
  }

  private static int awaitHttpsPort() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Integer port = null;
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log);
      Matcher m = HTTPS_PORT.matcher(text);
      if (port == null && m.find()) {
        port = Integer.parseInt(m.group(1));
      }
      if (port != null && text.contains("\"message\":\"started\"")) {
        return port;
      }
      if (!gateway.isAlive()) {
        break;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    throw new AssertionError("the gateway did not start; its output:\n" + Files.readString(log));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.destroy(); // SIGTERM to this child only: it drains and exits
      if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
        gateway.destroyForcibly();
      }
    }
    upstream.close();
    issuer.close();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = GatewayProcessExampleIT.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private HttpResponse<String> post(String json, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/orders"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void validOrderReachesTheUpstreamWithTheVerifiedSubject() throws Exception {
    HttpResponse<String> response = post("{\"item\":\"book\",\"qty\":2}", issuer.token(key).sign());
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).contains("\"path\":\"/orders\"").contains("\"subject\":\"alice\"").contains("\"qty\":2");
    assertThat(response.headers().firstValue("Strict-Transport-Security")).isPresent();
  }

  @Test
  void orderBreakingTheOpenApiSchemaIsDeniedWith400BeforeTheUpstream() throws Exception {
    HttpResponse<String> response = post("{\"item\":\"book\",\"qty\":9}", issuer.token(key).sign());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.body()).contains("invalid-payload").doesNotContain("\"method\"");
  }

  @Test
  void requestWithoutATokenIsDeniedWith401() throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/orders/7")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
  }
}
