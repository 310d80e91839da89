package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator subcommands of the jar, run as a user runs them. */
class CliIT {

  @Test
  void versionAndHelpNameTheCommands() throws Exception {
    try (GatewayProcess version = new GatewayProcess("--version")) {
      assertThat(version.awaitExit(Duration.ofSeconds(30))).isZero();
      assertThat(version.out()).anyMatch(line -> line.startsWith("apisec-standalone 0.1.0-SNAPSHOT"))
          .anyMatch(line -> line.startsWith("TLS engine: "));
    }
    try (GatewayProcess help = new GatewayProcess("--help")) {
      assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
      String text = String.join("\n", help.out());
      assertThat(text).contains("run").contains("check-config").contains("certs").contains("token").contains("inspect-token");
    }
  }

  @Test
  void certsWritesAChainThatOpensslVerifies() throws Exception {
    Path dir = Files.createTempDirectory("apisec-certs-");
    try (GatewayProcess certs = new GatewayProcess("certs", "--out", dir.toString(), "--client-name", "ops-client")) {
      assertThat(certs.awaitExit(Duration.ofSeconds(30))).isZero();
    }
    Process verify = new ProcessBuilder("openssl", "verify", "-CAfile", dir.resolve("ca.pem").toString(),
        dir.resolve("server.pem").toString(), dir.resolve("client.pem").toString()).redirectErrorStream(true).start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor()).as(output).isZero();
    assertThat(output).contains("server.pem: OK").contains("client.pem: OK");
    assertThat(TlsMaterial.certificates(dir.resolve("client.pem")).get(0).getSubjectX500Principal().getName())
        .contains("CN=ops-client");
    assertThat(Files.readString(dir.resolve("server-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void mintedTokenIsAcceptedAndAnExpiredOneIsExplained() throws Exception {
    Path dir = Files.createTempDirectory("apisec-token-");
    Path key = dir.resolve("key.json");
    Path jwks = dir.resolve("jwks.json");
    HttpServer issuer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    String iss = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/";
    issuer.createContext("/jwks.json", exchange -> {
      byte[] body = Files.readAllBytes(jwks);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    issuer.start();
    try {
      String token;
      try (GatewayProcess mint = new GatewayProcess("token", "--key", key.toString(), "--jwks-out", jwks.toString(),
          "--iss", iss, "--sub", "bob", "--aud", "api", "--scope", "read", "--ttl", "10m", "--claim", "tier=gold")) {
        assertThat(mint.awaitExit(Duration.ofSeconds(30))).isZero();
        token = mint.out().get(0);
      }
      assertThat(token.split("\\.")).hasSize(3);
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(config, "jwt:\n  issuers:\n    - issuer: " + iss + "\n      jwks-uri: " + iss + "jwks.json\n"
          + "      audiences: [api]\n      algorithms: [ES256]\n"
          + "routes:\n  - match: GET /api/**\n    name: api\n    auth: jwt\n    scopes: [read]\n"
          + "  - match: GET /admin/**\n    name: admin\n    auth: jwt\n    scopes: [admin]\n");

      try (GatewayProcess inspect = new GatewayProcess("inspect-token", token, "--config", config.toString())) {
        assertThat(inspect.awaitExit(Duration.ofSeconds(60))).isZero();
        String text = String.join("\n", inspect.out());
        assertThat(text).contains("\"sub\" : \"bob\"").contains("\"tier\" : \"gold\"").contains("Expires ");
        assertThat(text).contains("api: ACCEPTED").containsPattern("admin: REFUSED 403 insufficient-scope");
      }

      ECKey signing = DevTokens.keyFile(key);
      String expired = DevTokens.mint(signing, iss, "bob", List.of("api"), "read", Duration.ofMinutes(5), Map.of(),
          Instant.now().minus(Duration.ofHours(1)));
      try (GatewayProcess inspect = new GatewayProcess("inspect-token", "Bearer " + expired, "--config", config.toString())) {
        assertThat(inspect.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        String text = String.join("\n", inspect.out());
        assertThat(text).contains("EXPIRED").contains("api: REFUSED 401 invalid-token");
        assertThat(text).doesNotContain(expired.split("\\.")[2]); // the signature is never echoed
      }
    } finally {
      issuer.stop(0);
    }
  }
}
