package io.apisec.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.apisec.config.DpopConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every {@code dpop} key, in the YAML loader and the builder, and their refusals with key and line. */
class DpopConfigTest {
  private static final String JWT = """
      jwt:
        issuers:
          - issuer: https://idp.example.com/
            secret: a-test-secret-of-at-least-32-bytes-long!
            algorithms: [HS256]
            audiences: [api]
      """;

  private static ApiSecurityConfig load(String yaml) {
    return ConfigLoader.parseYaml(JWT + yaml, null);
  }

  @Test
  void everyKeyIsRead() {
    ApiSecurityConfig config = load("""
        dpop:
          mode: required
          issuers:
            https://idp.example.com/: disabled
          algorithms: [ES256, EdDSA]
          proof-max-age: 30s
          public-base-url: https://api.example.com/v1
          replay-cache-max-entries: 5000
        routes:
          - match: GET /orders
            dpop: allowed
          - match: GET /other
        """);
    DpopConfig dpop = config.dpop();
    assertThat(dpop.mode()).isEqualTo(DpopMode.REQUIRED);
    assertThat(dpop.issuers()).isEqualTo(Map.of("https://idp.example.com/", DpopMode.DISABLED));
    assertThat(dpop.algorithms()).containsExactly("ES256", "EdDSA");
    assertThat(dpop.proofMaxAge()).isEqualTo(Duration.ofSeconds(30));
    assertThat(dpop.publicBaseUrl()).contains(URI.create("https://api.example.com/v1"));
    assertThat(dpop.replayCacheMaxEntries()).isEqualTo(5000);
    assertThat(config.routes().get(0).dpop()).contains(DpopMode.ALLOWED);
    assertThat(config.routes().get(1).dpop()).isEmpty();
  }

  @Test
  void defaultsAllowDpopWithTheCommonAlgorithmsAndAOneMinuteWindow() {
    DpopConfig dpop = load("routes: [{match: GET /orders}]").dpop();
    assertThat(dpop.mode()).isEqualTo(DpopMode.ALLOWED);
    assertThat(dpop.algorithms()).containsExactly("ES256", "ES384", "PS256", "RS256", "EdDSA");
    assertThat(dpop.proofMaxAge()).isEqualTo(Duration.ofSeconds(60));
    assertThat(dpop.publicBaseUrl()).isEmpty();
    assertThat(dpop.issuers()).isEmpty();
  }

  @Test
  void theBuilderTakesTheSameSettings() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .jwt(io.apisec.config.JwtConfig.builder().issuer(io.apisec.config.JwtConfig.Issuer
            .builder("https://idp.example.com/").secret("a-test-secret-of-at-least-32-bytes-long!").algorithms("HS256")
            .audiences("api").build()).build())
        .dpop(DpopConfig.builder().mode(DpopMode.DISABLED).issuer("https://idp.example.com/", DpopMode.REQUIRED)
            .algorithms("PS256").proofMaxAge(Duration.ofSeconds(10)).publicBaseUrl("http://localhost:8080")
            .replayCacheMaxEntries(10).build())
        .route(Route.builder("GET /x").dpop(DpopMode.REQUIRED).build())
        .build();
    assertThat(config.dpop().mode()).isEqualTo(DpopMode.DISABLED);
    assertThat(config.dpop().algorithms()).isEqualTo(List.of("PS256"));
    assertThat(config.routes().get(0).dpop()).contains(DpopMode.REQUIRED);
  }

  @Test
  void badValuesAreRefusedWithKeyPathAndLine() {
    assertRefused("dpop:\n  mode: sometimes\n", "dpop.mode", 8, "expected one of disabled, allowed, required");
    assertRefused("dpop:\n  algorithms: [ES256, HS256]\n", "dpop.algorithms", 8, "'HS256' is not an asymmetric");
    assertRefused("dpop:\n  algorithms: [none]\n", "dpop.algorithms", 8, "'none' is not an asymmetric");
    assertRefused("dpop:\n  proof-max-age: 1h\n", "dpop.proof-max-age", 8, "between 1s and 10m");
    assertRefused("dpop:\n  proof-max-age: soon\n", "dpop.proof-max-age", 8, "expected a duration");
    assertRefused("dpop:\n  public-base-url: ftp://x.example.com\n", "dpop.public-base-url", 8, "http(s) URL");
    assertRefused("dpop:\n  public-base-url: https://x.example.com/?a=b\n", "dpop.public-base-url", 8, "no query");
    assertRefused("dpop:\n  replay-cache-max-entries: 0\n", "dpop.replay-cache-max-entries", 8, "must be positive");
    assertRefused("dpop:\n  nonce: true\n", "dpop.nonce", 8, "unknown");
    assertRefused("dpop:\n  issuers:\n    https://idp.example.com/: maybe\n", "dpop.issuers.https://idp.example.com/", 9,
        "expected one of disabled, allowed, required");
    assertRefused("dpop:\n  issuers:\n    https://other.example.com/: required\n", "dpop.issuers", 9,
        "is not an issuer under jwt.issuers");
    assertRefused("routes:\n  - match: GET /x\n    dpop: yes-please\n", "routes[0].dpop", 9, "expected one of");
  }

  private static void assertRefused(String yaml, String key, int line, String message) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).as(e.getMessage()).isEqualTo(key);
          assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
          assertThat(e.getMessage()).contains(message);
        });
  }
}
