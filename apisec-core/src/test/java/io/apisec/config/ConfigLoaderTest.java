package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.AuthMode;
import io.apisec.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private ApiSecurityConfig yaml(String text) {
    return ConfigLoader.parseYaml(text, dir);
  }

  private static ConfigException failure(Runnable r) {
    try {
      r.run();
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void readsAFullFileIntoTheModel() throws Exception {
    Files.writeString(dir.resolve("order.json"), "{\"type\":\"object\"}");
    ApiSecurityConfig config = yaml(String.join("\n",
        "limits: { max-header-count: 50, max-header-bytes: 8KB, max-path-length: 1024, max-body: 2MB }",
        "trusted-proxies: [ 127.0.0.1/32, '::1' ]",
        "responses: { hsts-max-age: 1d, hsts-include-subdomains: true }",
        "audit: { headers: [user-agent] }",
        "routes:",
        "  - match: POST /v1/orders",
        "    auth: none",
        "    schema: order.json",
        "    strict: true",
        "    max-body: 64KB",
        "    content-types: [application/json]",
        "    report-only: [payload]",
        "  - match: GET /healthz",
        "    auth: none",
        "default: deny"));
    assertThat(config.limits()).isEqualTo(new ApiSecurityConfig.RequestLimits(50, 8192, 1024, 2 * 1024 * 1024));
    assertThat(config.trustedProxies()).hasSize(2);
    assertThat(config.responses().hstsMaxAge()).isEqualTo(Duration.ofDays(1));
    Route orders = config.routes().get(0);
    assertThat(orders.methods()).containsExactly("POST");
    assertThat(orders.auth()).isEqualTo(AuthMode.NONE);
    assertThat(orders.schema()).hasValue(dir.resolve("order.json").toString());
    assertThat(orders.strictSchema()).isTrue();
    assertThat(orders.maxBody()).isEqualTo(65536);
    assertThat(orders.reportOnly()).containsExactly("payload");
    assertThat(config.defaultAllow()).isFalse();
  }

  @Test
  void jsonAndYamlGiveTheSameModel() throws Exception {
    Path json = dir.resolve("c.json");
    Files.writeString(json, "{\"routes\":[{\"match\":\"GET /a\",\"auth\":\"none\",\"max-body\":\"1KB\"}],\n\"default\":\"deny\"}");
    ApiSecurityConfig fromJson = ConfigLoader.load(json);
    ApiSecurityConfig fromYaml = yaml("routes:\n  - { match: GET /a, auth: none, max-body: 1KB }\ndefault: deny\n");
    assertThat(fromJson.routes().get(0).maxBody()).isEqualTo(fromYaml.routes().get(0).maxBody());
    assertThat(fromJson.routes().get(0).name()).isEqualTo(fromYaml.routes().get(0).name());
  }

  @Test
  void unknownKeyIsNamedWithItsLineAndASuggestion() {
    ConfigException e = failure(() -> yaml("routes:\n  - match: GET /a\n    auth: none\n    max-bodyy: 1KB\n"));
    assertThat(e.key()).isEqualTo("routes[0].max-bodyy");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.getMessage()).contains("unknown key 'max-bodyy'").contains("did you mean 'max-body'?").contains("line 4");
  }

  @Test
  void unknownTopLevelSectionIsRefused() {
    ConfigException e = failure(() -> yaml("route: []\n"));
    assertThat(e.key()).isEqualTo("route");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void wrongTypeIsNamedWithItsLine() {
    ConfigException e = failure(() -> yaml("limits:\n  max-header-count: many\n"));
    assertThat(e.key()).isEqualTo("limits.max-header-count");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("expected a whole number");
  }

  @Test
  void badSizeAndDurationAreNamed() {
    assertThat(failure(() -> yaml("limits: { max-body: 12 parsecs }\n")).key()).isEqualTo("limits.max-body");
    ConfigException duration = failure(() -> yaml("responses:\n  hsts-max-age: 30\n"));
    assertThat(duration.key()).isEqualTo("responses.hsts-max-age");
    assertThat(duration.getMessage()).contains("expected a duration such as 30s");
  }

  @Test
  void badRouteValuesAreNamedWithTheirLine() {
    ConfigException auth = failure(() -> yaml("routes:\n  - match: GET /a\n    auth: magic\n"));
    assertThat(auth.key()).isEqualTo("routes[0].auth");
    assertThat(auth.line()).isEqualTo(3);
    ConfigException match = failure(() -> yaml("routes:\n  - match: GET a\n    auth: none\n"));
    assertThat(match.key()).isEqualTo("routes[0].match");
    assertThat(match.getMessage()).contains("must start with '/'");
    ConfigException missing = failure(() -> yaml("routes:\n  - auth: none\n"));
    assertThat(missing.getMessage()).contains("missing required key 'match'");
    ConfigException schema = failure(() -> yaml("routes:\n  - match: POST /a\n    auth: none\n    schema: nope.json\n"));
    assertThat(schema.key()).isEqualTo("routes[0].schema");
    assertThat(schema.getMessage()).contains("schema file not found");
  }

  @Test
  void duplicateKeysAndDuplicateRoutesAreRefused() {
    ConfigException key = failure(() -> yaml("default: deny\ndefault: allow\n"));
    assertThat(key.getMessage()).contains("duplicate key 'default'");
    assertThat(key.line()).isEqualTo(2);
    ConfigException route = failure(() -> yaml("routes:\n  - { match: GET /a, auth: none }\n  - { match: GET /a, auth: none }\n"));
    assertThat(route.getMessage()).contains("Duplicate route 'GET /a'");
    assertThat(route.line()).isEqualTo(3);
  }

  @Test
  void syntaxErrorsNameTheLine() {
    ConfigException e = failure(() -> yaml("routes:\n  - match: GET /a\n   auth: [none\n"));
    assertThat(e.line()).isGreaterThan(0);
    assertThat(e.getMessage()).contains("not valid YAML");
  }

  @Test
  void riskySettingsAreRefusedUnlessAcceptedExplicitly() {
    ConfigException proxies = failure(() -> yaml("trusted-proxies: [0.0.0.0/0]\n"));
    assertThat(proxies.key()).isEqualTo("trusted-proxies");
    assertThat(proxies.line()).isEqualTo(1);
    assertThat(proxies.getMessage()).contains("allow-risky: [trust-all-proxies]");
    assertThat(yaml("trusted-proxies: [0.0.0.0/0]\nallow-risky: [trust-all-proxies]\n").trustedProxies()).hasSize(1);
    ConfigException defaultAllow = failure(() -> yaml("routes: []\n\ndefault: allow\n"));
    assertThat(defaultAllow.key()).isEqualTo("default");
    assertThat(defaultAllow.line()).isEqualTo(3);
    assertThat(failure(() -> yaml("allow-risky: [everything]\n")).key()).isEqualTo("allow-risky[0]");
  }

  @Test
  void acceptingCertificatesWithoutClientAuthUsageIsRisky() {
    ConfigException e = failure(() -> yaml("mtls:\n  require-eku: false\n"));
    assertThat(e.key()).isEqualTo("mtls.require-eku");
    assertThat(e.line()).isEqualTo(2);
    assertThat(yaml("mtls: { require-eku: false }\nallow-risky: [no-client-auth-eku]\n").mtls().requireClientAuthEku()).isFalse();
  }

  @Test
  void badTrustedProxyIsNamed() {
    ConfigException e = failure(() -> yaml("trusted-proxies:\n  - 10.0.0.0/8\n  - proxy.example.com\n"));
    assertThat(e.key()).isEqualTo("trusted-proxies[1]");
    assertThat(e.line()).isEqualTo(3);
  }

  @Test
  void reportOnlyNamesMustBeKnownStages() {
    ConfigException e = failure(() -> yaml("report-only: [jwt, shields]\n"));
    assertThat(e.key()).isEqualTo("report-only[1]");
    assertThat(e.getMessage()).contains("Unknown stage 'shields'");
  }

  @Test
  void builderRejectsBadValuesAtOnce() {
    assertThatThrownBy(() -> ApiSecurityConfig.builder().trustedProxies("10.0.0.0/33"))
        .hasMessageContaining("CIDR prefix out of range");
    assertThatThrownBy(() -> Route.builder("GET /a").maxBody(-1)).hasMessageContaining("max-body");
    assertThatThrownBy(() -> Route.builder("GET /a").contentTypes("json")).hasMessageContaining("Invalid media type");
  }
}
