package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway section: defaults, and errors that name the key and the line. */
class GatewayConfigTest {
  private static Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    dir = Files.createTempDirectory("apisec-config-test-");
    DevPki.write(dir, "c", Duration.ofDays(1));
  }

  private static GatewayConfig read(String gateway) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "gateway:\n" + gateway + "routes:\n  - match: /x\n    auth: none\n", StandardCharsets.UTF_8);
    ConfigLoader.Loaded loaded = ConfigLoader.load(file, Set.of("gateway"));
    return GatewayConfig.read(loaded.sections().get("gateway"), dir);
  }

  private static final String HTTPS = "  https:\n    port: 8443\n    certificate: server.pem\n    private-key: server-key.pem\n";

  @Test
  void minimalSectionTakesSafeDefaults() throws Exception {
    GatewayConfig config = read(HTTPS + "  upstream: http://127.0.0.1:9000\n");

    assertThat(config.https().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(config.https().clientAuth()).isEqualTo(GatewayConfig.ClientAuth.NONE);
    assertThat(config.https().host()).isEqualTo("0.0.0.0");
    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    assertThat(config.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.upstream().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.identityHeaders()).containsEntry("subject", "X-Auth-Subject").containsEntry("client-ip", "X-Client-IP");
    assertThat(config.connections()).isEqualTo(GatewayConfig.Connections.DEFAULTS);
  }

  @Test
  void everyKeyIsRead() throws Exception {
    GatewayConfig config = read(HTTPS.replace("    port: 8443\n", "    port: 8443\n    host: 127.0.0.1\n    client-ca: ca.pem\n    client-auth: required\n    protocols: [TLSv1.3]\n")
        + "  http: { host: 127.0.0.1, port: 8080 }\n"
        + "  upstream: { url: 'http://10.0.0.5:9000/api/', connect-timeout: 2s, timeout: 10s, pool-size: 8, http2: true }\n"
        + "  identity-headers: { subject: X-Sub, certificate-spiffe-id: X-Spiffe }\n"
        + "  admin: { host: 0.0.0.0, port: 9999 }\n"
        + "  connections: { max: 50, header-timeout: 3s, idle-timeout: 9s, max-header-size: 8KB }\n"
        + "  drain-timeout: 7s\n"
        + "  watch-config: false\n");

    assertThat(config.https().clientAuth()).isEqualTo(GatewayConfig.ClientAuth.REQUIRED);
    assertThat(config.https().protocols()).containsExactly("TLSv1.3");
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.upstream().pathPrefix()).isEqualTo("/api");
    assertThat(config.upstream().http2()).isTrue();
    assertThat(config.upstream().poolSize()).isEqualTo(8);
    assertThat(config.identityHeaders()).containsOnlyKeys("subject", "certificate-spiffe-id");
    assertThat(config.connections()).isEqualTo(new GatewayConfig.Connections(50, Duration.ofSeconds(3), Duration.ofSeconds(9), 8192));
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.watchConfig()).isFalse();
  }

  @Test
  void misspelledKeyIsRefusedWithLineAndSuggestion() {
    assertThatThrownBy(() -> read(HTTPS + "  upstream:\n    url: http://127.0.0.1:9000\n    timout: 5s\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.upstream.timout")
        .hasMessageContaining("line 8")
        .hasMessageContaining("did you mean 'timeout'");
  }

  @Test
  void oldTlsProtocolIsRefused() {
    assertThatThrownBy(() -> read(HTTPS + "    protocols: [TLSv1.2, TLSv1.1]\n  upstream: http://127.0.0.1:9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.https.protocols[1]")
        .hasMessageContaining("older protocols are refused");
  }

  @Test
  void clientAuthWithoutClientCaIsRefused() {
    assertThatThrownBy(() -> read(HTTPS + "    client-auth: required\n  upstream: http://127.0.0.1:9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.https.client-auth")
        .hasMessageContaining("needs client-ca");
  }

  @Test
  void missingCertificateFileIsRefusedNamingIt() {
    assertThatThrownBy(() -> read(HTTPS.replace("server.pem", "nope.pem") + "  upstream: http://127.0.0.1:9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.https.certificate")
        .hasMessageContaining("nope.pem");
  }

  @Test
  void upstreamMustBeAnHttpUrlWithoutQuery() {
    assertThatThrownBy(() -> read(HTTPS + "  upstream: ftp://127.0.0.1/\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstream");
    assertThatThrownBy(() -> read(HTTPS + "  upstream: http://127.0.0.1/?a=1\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no query");
  }

  @Test
  void unknownIdentityFieldAndBadHeaderNameAreRefused() {
    assertThatThrownBy(() -> read(HTTPS + "  upstream: http://127.0.0.1:9000\n  identity-headers: { subjet: X-Sub }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'subject'");
    assertThatThrownBy(() -> read(HTTPS + "  upstream: http://127.0.0.1:9000\n  identity-headers: { subject: 'X Sub' }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a valid header name");
  }

  @Test
  void aListenerIsRequired() {
    assertThatThrownBy(() -> read("  upstream: http://127.0.0.1:9000\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("https or http");
  }

  @Test
  void claimValuesAreMadeHeaderSafe() {
    assertThat(Forwarding.headerSafe("alice")).isEqualTo("alice");
    assertThat(Forwarding.headerSafe("a\r\nX-Evil: 1")).isEqualTo("a%0D%0AX-Evil: 1");
    assertThat(Forwarding.headerSafe("zoë 100%")).isEqualTo("zo%C3%AB 100%25");
  }

  @Test
  void metricsAreWrittenInThePrometheusTextFormat() {
    Metrics metrics = new Metrics();
    metrics.upstreamError("timeout");
    metrics.upstreamError("timeout");
    metrics.upstreamResponse(204, 2_000_000);

    String text = metrics.scrape();
    assertThat(text).contains("# TYPE apisec_upstream_errors_total counter\napisec_upstream_errors_total{kind=\"timeout\"} 2\n");
    assertThat(text).contains("apisec_upstream_duration_seconds_bucket{le=\"0.0025\"} 1\n")
        .contains("apisec_upstream_duration_seconds_bucket{le=\"0.001\"} 0\n")
        .contains("apisec_upstream_duration_seconds_count 1\n");
  }

  @Test
  void decisionsAreCountedPerKindWhetherTheirLabelsAreNewOrKnown() {
    Metrics metrics = new Metrics();
    for (int i = 0; i < 3; i++) {
      metrics.onDecision(event("allow", "orders", "", "", 200));
    }
    metrics.onDecision(event("deny", "orders", "jwt", "invalid-token", 401));
    metrics.onDecision(event("deny", "orders", "jwt", "invalid-token", 401));

    String text = metrics.scrape();
    assertThat(text)
        .contains("apisec_decisions_total{outcome=\"allow\",route=\"orders\",stage=\"\",reason=\"\",status=\"200\"} 3\n")
        .contains("apisec_decisions_total{outcome=\"deny\",route=\"orders\",stage=\"jwt\",reason=\"invalid-token\",status=\"401\"} 2\n")
        .contains("apisec_requests_total 5\n")
        .contains("apisec_decision_duration_seconds_count{outcome=\"deny\"} 2\n");
  }

  private static io.apisec.AuditEvent event(String outcome, String route, String stage, String reason, int status) {
    return new io.apisec.AuditEvent(java.time.Instant.EPOCH, "id", "GET", "/orders", route, outcome, status, reason, stage,
        "", "", "", "127.0.0.1", 1_000, java.util.List.of(), java.util.Map.of(), java.util.List.of());
  }
}
