package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Route;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code jwt:} section in YAML and in the builder, and its start-up checks. */
class JwtConfigTest {
  private static ApiSecurityConfig yaml(String text) {
    return ConfigLoader.parseYaml(text, Path.of("."));
  }

  @Test
  void everyJwtKeyIsRead() {
    ApiSecurityConfig config = yaml("""
        jwt:
          clock-skew: 30s
          cache: { max-entries: 500 }
          issuers:
            - issuer: https://idp.example.com/
              jwks-uri: https://idp.example.com/.well-known/jwks.json
              audiences: [ orders-api, billing ]
              algorithms: [ RS256, ES256, EdDSA ]
              typ: application/at+jwt
              max-token-size: 4KB
              max-lifetime: 1h
              refresh: { min-interval: 10s, max-interval: 30m, max-staleness: 2h, timeout: 2s, unknown-key-ttl: 20s }
            - issuer: internal
              secret: an-internal-secret-of-more-than-32-bytes
              audiences: internal-api
              algorithms: [ HS256 ]
            - issuer: https://login.example.org/
              discovery: https://login.example.org/.well-known/openid-configuration
              audiences: [ api ]
              algorithms: [ PS256 ]
        routes:
          - match: GET /orders
            auth: jwt
            scopes: [ orders:read ]
        """);
    JwtConfig jwt = config.jwt();
    assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.cacheMaxEntries()).isEqualTo(500);
    assertThat(jwt.issuers()).hasSize(3);
    JwtConfig.Issuer idp = jwt.issuers().get(0);
    assertThat(idp.jwksUri()).hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("idp.example.com"));
    assertThat(idp.audiences()).containsExactly("orders-api", "billing");
    assertThat(idp.algorithms()).containsExactlyInAnyOrder("RS256", "ES256", "EdDSA");
    assertThat(idp.type()).contains("at+jwt");
    assertThat(idp.maxTokenSize()).isEqualTo(4096);
    assertThat(idp.maxLifetime()).contains(Duration.ofHours(1));
    assertThat(idp.refresh()).isEqualTo(new JwtConfig.Refresh(Duration.ofSeconds(10), Duration.ofMinutes(30),
        Duration.ofHours(2), Duration.ofSeconds(2), Duration.ofSeconds(20)));
    JwtConfig.Issuer internal = jwt.issuers().get(1);
    assertThat(internal.secret()).isPresent();
    assertThat(internal.toString()).doesNotContain("an-internal-secret");
    assertThat(jwt.issuers().get(2).discovery()).isPresent();
  }

  @Test
  void keySnapshotsAreReadAndCheckedNamingTheKey() {
    ApiSecurityConfig config = yaml("""
        jwt:
          key-snapshots: { type: file, directory: /var/lib/apisec/jwks }
        """);
    assertThat(config.jwt().keySnapshots()).hasValueSatisfying(s -> {
      assertThat(s.type()).isEqualTo("file");
      assertThat(s.settings()).containsEntry("directory", "/var/lib/apisec/jwks");
    });
    assertThat(yaml("jwt: {}\n").jwt().keySnapshots()).isEmpty();
    assertThatThrownBy(() -> yaml("""
        jwt:
          key-snapshots:
            type: file
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("jwt.key-snapshots")
        .hasMessageContaining("directory");
    assertThatThrownBy(() -> yaml("""
        jwt:
          key-snapshots:
            type: file
            directory: /tmp/jwks
            folder: /tmp/other
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("jwt.key-snapshots.folder")
        .hasMessageContaining("line 5");
    assertThatThrownBy(() -> yaml("""
        jwt:
          key-snapshots: { type: etcd, endpoints: [ http://127.0.0.1:2379 ] }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("jwt.key-snapshots.type")
        .hasMessageContaining("no key-set snapshot store of type 'etcd'");
    assertThatThrownBy(() -> yaml("""
        jwt:
          key-snapshots: /tmp/jwks
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("jwt.key-snapshots")
        .hasMessageContaining("mapping");
  }

  @Test
  void unknownKeysNameTheirPathAndLine() {
    assertThatThrownBy(() -> yaml("""
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              jwks-url: https://idp.example.com/jwks
              audiences: [ api ]
              algorithms: [ RS256 ]
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].jwks-url")
        .hasMessageContaining("line 4");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> yaml("""
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              jwks-uri: https://idp.example.com/jwks
              audiences: [ api ]
              algorithms: [ RS256, none ]
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].algorithms[1]")
        .hasMessageContaining("'none'");
    assertThatThrownBy(() -> yaml("""
        jwt:
          clock-skew: soon
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("jwt.clock-skew");
    assertThatThrownBy(() -> yaml("""
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              jwks-uri: https://idp.example.com/jwks
              algorithms: [ RS256 ]
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("audience");
    assertThatThrownBy(() -> yaml("""
        jwt:
          issuers:
            - issuer: internal
              secret: short
              audiences: [ api ]
              algorithms: [ HS256 ]
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("shorter than 256 bits")
        .hasMessageNotContaining("short\n");
  }

  @Test
  void aJwtRouteWithoutIssuersFailsAtStartNamingTheKey() {
    assertThatThrownBy(() -> yaml("""
        routes:
          - match: GET /orders
            auth: jwt
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].auth")
        .hasMessageContaining("jwt.issuers")
        .hasMessageContaining("line 3");
    assertThatThrownBy(() -> ApiSecurityConfig.builder()
        .route(Route.builder("GET /orders").auth(AuthMode.JWT).build()).build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("routes[0].auth");
  }

  @Test
  void largeClockSkewIsRiskyUnlessAllowed() {
    String text = """
        jwt:
          clock-skew: 10m
        """;
    assertThatThrownBy(() -> yaml(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.clock-skew").hasMessageContaining("allow-risky: [clock-skew]");
    assertThat(yaml(text + "allow-risky: [ clock-skew ]\n").jwt().clockSkew()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void hsAlongsideAJwksIsRiskyUnlessAllowed() {
    String text = """
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              jwks-uri: https://idp.example.com/jwks
              secret: a-shared-secret-of-more-than-32-bytes!
              audiences: [ api ]
              algorithms: [ RS256, HS256 ]
        """;
    assertThatThrownBy(() -> yaml(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].algorithms").hasMessageContaining("hs-with-jwks");
    assertThat(yaml(text + "allow-risky: [ hs-with-jwks ]\n").jwt().issuers()).hasSize(1);
  }

  @Test
  void anIssuerWithoutAlgorithmsIsRiskyUnlessAllowed() {
    String text = """
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              jwks-uri: https://idp.example.com/jwks
              audiences: [ api ]
        """;
    assertThatThrownBy(() -> yaml(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0]").hasMessageContaining("no-algorithms");
    JwtConfig.Issuer issuer = yaml(text + "allow-risky: [ no-algorithms ]\n").jwt().issuers().get(0);
    assertThat(issuer.acceptedAlgorithms()).contains("RS256", "EdDSA").doesNotContain("HS256");
  }

  @Test
  void hsWithoutASecretIsRefusedByTheBuilder() {
    assertThatThrownBy(() -> JwtConfig.Issuer.builder("x").jwksUri("https://x/jwks").audiences("api")
        .algorithms("HS256").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no secret");
  }

  @Test
  void anMtlsRouteWithoutTrustAnchorsFailsAtStartNamingTheKey() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("GET /x").auth(AuthMode.MTLS).build()).build();
    assertThatThrownBy(() -> ApiSecurity.of(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("mtls.trust-anchors");
  }
}
