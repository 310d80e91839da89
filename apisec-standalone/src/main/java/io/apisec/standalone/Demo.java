package io.apisec.standalone;

import com.nimbusds.jose.jwk.ECKey;
import io.apisec.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The self-contained demo behind {@code java -jar apisec-standalone.jar}: a development CA and
 * certificates, a local token issuer serving its JWKS, an echo upstream, and a gateway with one
 * public and one protected route, all on loopback. It checks its own promises before printing
 * them: only the curl commands it saw give the stated status are shown.
 */
final class Demo {
  static final String AUDIENCE = "demo-api";
  static final String SCOPE = "orders:write";
  static final int RATE_CAPACITY = 5;

  /** What the demo's protected route checks, as far as this build supports it. */
  enum Feature { JWT, SCHEMA, RATE_LIMIT }

  private Demo() {}

  /** One promised call: what it shows, the status, the command. */
  record Step(String title, int status, String command) {}

  /** The running demo, for tests and for the banner. */
  record Running(Gateway gateway, Path dir, Set<Feature> features, List<Step> verified, List<String> missing,
      AutoCloseable sideServers) {}

  static int run() throws Exception {
    Log.install();
    Running demo = start(preferredPort(8443), preferredPort(9901));
    printBanner(System.out, demo);
    int status = Main.runUntilStopped(demo.gateway());
    demo.sideServers().close();
    return status;
  }

  static Running start(int httpsPort, int adminPort) throws Exception {
    Path dir = Files.createTempDirectory("apisec-demo-");
    DevPki.write(dir, "demo-client", Duration.ofDays(1));
    ECKey key = DevTokens.generateKey();
    Vertx side = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpServer issuerServer = Gateway.await(side.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(request -> {
          if (request.path().equals("/jwks.json")) {
            request.response().putHeader("content-type", "application/json")
                .putHeader("cache-control", "max-age=300").end(DevTokens.jwks(key));
          } else {
            request.response().setStatusCode(404).end();
          }
        })
        .listen(0));
    EchoUpstream echo = EchoUpstream.start(side);
    String issuer = "http://127.0.0.1:" + issuerServer.actualPort() + "/";
    Instant now = Instant.now();
    String userToken = DevTokens.mint(key, issuer, "demo-user", List.of(AUDIENCE), SCOPE, Duration.ofHours(8), Map.of(), now);
    String checkToken = DevTokens.mint(key, issuer, "demo-self-check", List.of(AUDIENCE), SCOPE, Duration.ofMinutes(5), Map.of(), now);
    Files.writeString(dir.resolve("token.jwt"), userToken + "\n", StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("jwks.json"), DevTokens.jwks(key), StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("order.json"), "{\"item\":\"book\",\"quantity\":2}\n", StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("bad-order.json"), "{\"item\":\"book\",\"quantity\":\"many\"}\n", StandardCharsets.US_ASCII);

    Set<Feature> features = EnumSet.allOf(Feature.class);
    List<String> missing = new ArrayList<>();
    Path config = dir.resolve("apisec-demo.yaml");
    Gateway gateway = null;
    while (gateway == null) {
      Files.writeString(config, yaml(features, httpsPort, adminPort, echo.port(), issuer), StandardCharsets.UTF_8);
      try {
        gateway = Gateway.start(config);
      } catch (ConfigException e) {
        Feature lacking = lacking(e);
        if (lacking == null || !features.remove(lacking)) {
          throw e;
        }
        missing.add(lacking.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " (" + e.getMessage() + ")");
      }
    }
    AutoCloseable sideServers = () -> {
      echo.close();
      Gateway.await(side.close());
    };
    List<Step> verified = selfCheck(gateway, dir, checkToken);
    for (int[] promised : new int[][] {{200, 0}, {401, 1}, {400, 2}, {429, 3}}) {
      if (verified.stream().noneMatch(step -> step.status() == promised[0])) {
        missing.add("the " + promised[0] + " step: "
            + new String[] {"the public route", "token verification (jwt stage)", "payload validation (payload stage)",
                "rate limiting (rate-limit stage)"}[promised[1]] + " did not answer as promised in this build");
      }
    }
    return new Running(gateway, dir, features, verified, missing, sideServers);
  }

  /** Which feature a refused demo configuration lacks in this build, judged by the key it names. */
  private static Feature lacking(ConfigException e) {
    String key = e.key() == null ? "" : e.key();
    if (key.startsWith("jwt") || key.endsWith(".auth") || key.endsWith(".scopes")) {
      return Feature.JWT;
    }
    if (key.startsWith("rate-limits") || key.endsWith(".rate-limit")) {
      return Feature.RATE_LIMIT;
    }
    if (key.endsWith(".schema") || key.endsWith(".strict")) {
      return Feature.SCHEMA;
    }
    return null;
  }

  static String yaml(Set<Feature> features, int httpsPort, int adminPort, int echoPort, String issuer) {
    StringBuilder y = new StringBuilder();
    y.append("# The apisec demo, written by `java -jar apisec-standalone.jar`. Edit it: the gateway reloads it.\n");
    y.append("gateway:\n");
    y.append("  https:\n");
    y.append("    host: 127.0.0.1\n");
    y.append("    port: ").append(httpsPort).append('\n');
    y.append("    certificate: ").append(DevPki.SERVER).append('\n');
    y.append("    private-key: ").append(DevPki.SERVER_KEY).append('\n');
    y.append("    client-ca: ").append(DevPki.CA).append('\n');
    y.append("    client-auth: optional\n");
    y.append("  upstream:\n");
    y.append("    url: http://127.0.0.1:").append(echoPort).append('\n');
    y.append("    timeout: 10s\n");
    y.append("  admin:\n");
    y.append("    host: 127.0.0.1\n");
    y.append("    port: ").append(adminPort).append('\n');
    y.append("  drain-timeout: 5s\n");
    boolean jwt = features.contains(Feature.JWT);
    if (jwt) {
      y.append("jwt:\n");
      y.append("  issuers:\n");
      y.append("    - issuer: ").append(issuer).append('\n');
      y.append("      jwks-uri: ").append(issuer).append("jwks.json\n");
      y.append("      audiences: [").append(AUDIENCE).append("]\n");
      y.append("      algorithms: [ES256]\n");
    }
    if (features.contains(Feature.RATE_LIMIT)) {
      y.append("rate-limits:\n");
      y.append("  per-caller:\n");
      y.append("    key: ").append(jwt ? "jwt.sub" : "ip").append('\n');
      y.append("    limits: [ { capacity: ").append(RATE_CAPACITY).append(", refill: ").append(RATE_CAPACITY).append("/1m } ]\n");
    }
    y.append("routes:\n");
    y.append("  - match: GET /public/**\n");
    y.append("    name: public\n");
    y.append("    auth: none\n");
    y.append("  - match: POST /orders\n");
    y.append("    name: orders\n");
    y.append("    auth: ").append(jwt ? "jwt" : "none").append('\n');
    if (jwt) {
      y.append("    scopes: [").append(SCOPE).append("]\n");
    }
    if (features.contains(Feature.SCHEMA)) {
      y.append("    content-types: [application/json]\n");
      y.append("    max-body: 16KB\n");
      y.append("    strict: true\n");
      y.append("    schema:\n");
      y.append("      type: object\n");
      y.append("      required: [item, quantity]\n");
      y.append("      properties:\n");
      y.append("        item: { type: string, minLength: 1, maxLength: 100 }\n");
      y.append("        quantity: { type: integer, minimum: 1, maximum: 100 }\n");
    }
    if (features.contains(Feature.RATE_LIMIT)) {
      y.append("    rate-limit: per-caller\n");
    }
    y.append("default: deny\n");
    return y.toString();
  }

  /** Calls the demo the way the printed commands will, and keeps the steps that gave their status. */
  private static List<Step> selfCheck(Gateway gateway, Path dir, String checkToken) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(trusting(dir.resolve(DevPki.CA)))
        .connectTimeout(Duration.ofSeconds(5)).build();
    String base = "https://localhost:" + gateway.httpsPort();
    String curl = "curl -s --cacert " + dir.resolve(DevPki.CA);
    String token = "-H \"Authorization: Bearer $(cat " + dir.resolve("token.jwt") + ")\"";
    String json = "-H 'Content-Type: application/json'";
    String order = "--data @" + dir.resolve("order.json");
    String badOrder = "--data @" + dir.resolve("bad-order.json");
    String clientCert = "--cert " + dir.resolve(DevPki.CLIENT) + " --key " + dir.resolve(DevPki.CLIENT_KEY);
    String showStatus = " -w '\\n%{http_code}\\n'";

    List<Step> steps = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    int publicStatus = call(client, base + "/public/hello", null, null, null);
    seen.put("public", publicStatus);
    if (publicStatus == 200) {
      steps.add(new Step("The public route passes", 200, curl + showStatus + " " + base + "/public/hello"));
    }
    int noToken = call(client, base + "/orders", null, "application/json", "{\"item\":\"book\",\"quantity\":2}");
    if (noToken == 401) {
      steps.add(new Step("The protected route without a token", 401,
          curl + showStatus + " " + json + " " + order + " " + base + "/orders"));
    }
    int badBody = call(client, base + "/orders", checkToken, "application/json", "{\"item\":\"book\",\"quantity\":\"many\"}");
    if (badBody == 400) {
      steps.add(new Step("With a token, but a body the schema refuses", 400,
          curl + showStatus + " " + token + " " + json + " " + badOrder + " " + base + "/orders"));
    }
    int good = call(client, base + "/orders", checkToken, "application/json", "{\"item\":\"book\",\"quantity\":2}");
    if (good == 200) {
      steps.add(new Step("With a token and a client certificate: passed on, see the identity headers upstream", 200,
          curl + showStatus + " " + clientCert + " " + token + " " + json + " " + order + " " + base + "/orders"));
    }
    int limited = good;
    for (int i = 0; i < RATE_CAPACITY + 3 && limited != 429; i++) {
      limited = call(client, base + "/orders", checkToken, "application/json", "{\"item\":\"book\",\"quantity\":2}");
    }
    if (limited == 429) {
      steps.add(new Step("Past the rate limit (" + RATE_CAPACITY + " a minute per subject)", 429,
          "for i in $(seq " + (RATE_CAPACITY + 1) + "); do " + curl + " -o /dev/null -w '%{http_code}\\n' " + token
              + " " + json + " " + order + " " + base + "/orders; done"));
    }
    return steps;
  }

  private static int call(HttpClient client, String url, String token, String contentType, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(body == null ? "GET" : "POST",
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static SSLContext trusting(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  static void printBanner(PrintStream out, Running demo) {
    Gateway gateway = demo.gateway();
    StringBuilder b = new StringBuilder();
    b.append('\n');
    b.append("apisec demo gateway is running on https://localhost:").append(gateway.httpsPort()).append(" (loopback only)\n");
    b.append("  files (CA, server and client certificates, token, config): ").append(demo.dir()).append('\n');
    b.append("  configuration: ").append(demo.dir().resolve("apisec-demo.yaml")).append(" (edit it: it reloads)\n");
    b.append("  admin: http://127.0.0.1:").append(gateway.adminPort()).append("/healthz  /readyz  /metrics\n");
    b.append('\n');
    b.append("Try it (copy and paste):\n");
    for (Step step : demo.verified()) {
      b.append("\n# ").append(step.title()).append(" -> ").append(step.status()).append('\n');
      b.append(step.command()).append('\n');
    }
    for (String lacking : demo.missing()) {
      b.append("\n# Not shown: this build lacks ").append(lacking).append('\n');
    }
    b.append("\nStop with Ctrl+C (or kill -TERM ").append(ProcessHandle.current().pid()).append(").\n");
    out.print(b);
    out.flush();
  }

  private static int preferredPort(int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException busy) {
      return 0;
    }
  }
}
