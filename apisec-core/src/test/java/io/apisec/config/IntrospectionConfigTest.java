package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.testing.IntrospectionEndpoint;
import io.apisec.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code introspection:} mapping of an issuer, in YAML and in the builder, and its start-up checks. */
class IntrospectionConfigTest {
  @TempDir
  Path dir;

  private ApiSecurityConfig yaml(String text) {
    return ConfigLoader.parseYaml(text, dir);
  }

  private static String issuer(String introspection) {
    return """
        jwt:
          issuers:
            - issuer: https://idp.example.com/
              audiences: [ orders-api ]
              introspection:
        """ + introspection.indent(8);
  }

  @Test
  void everyIntrospectionKeyIsRead() throws IOException {
    Files.writeString(dir.resolve("secret.txt"), "s3cret\n");
    TestPki.Issued ca = TestPki.rootCa("IdP CA");
    TestPki.writePem(dir.resolve("idp-ca.pem"), ca.certificate());
    ApiSecurityConfig config = yaml(issuer("""
        endpoint: https://idp.example.com/oauth2/introspect
        client-id: orders-gateway
        client-auth: client_secret_post
        client-secret-file: secret.txt
        trust-anchors: [ idp-ca.pem ]
        timeout: 2s
        cache-max-entries: 500
        cache-max-ttl: 2m
        negative-cache: 3s
        max-staleness: 10m
        """));
    IntrospectionConfig in = config.jwt().issuers().get(0).introspection().orElseThrow();
    assertThat(in.endpoint().toString()).isEqualTo("https://idp.example.com/oauth2/introspect");
    assertThat(in.clientId()).isEqualTo("orders-gateway");
    assertThat(in.clientAuth()).isEqualTo(IntrospectionConfig.ClientAuth.CLIENT_SECRET_POST);
    assertThat(in.clientSecret()).contains("s3cret");
    assertThat(in.clientSecretInline()).isFalse();
    assertThat(in.trustAnchors()).containsExactly(ca.certificate());
    assertThat(in.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(in.cacheMaxEntries()).isEqualTo(500);
    assertThat(in.cacheMaxTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(in.negativeCache()).isEqualTo(Duration.ofSeconds(3));
    assertThat(in.maxStaleness()).isEqualTo(Duration.ofMinutes(10));
    assertThat(in.toString()).doesNotContain("s3cret");
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void privateKeyJwtAndTlsClientAuthReadTheirKeys() {
    IntrospectionEndpoint.writePkcs8(dir.resolve("signing.key"), IntrospectionEndpoint.rsaKeyPair().getPrivate());
    ApiSecurityConfig jwtAuth = yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: private_key_jwt
        private-key: signing.key
        key-id: gw-1
        assertion-audience: https://idp.example.com/
        """));
    IntrospectionConfig a = jwtAuth.jwt().issuers().get(0).introspection().orElseThrow();
    assertThat(a.privateKey()).hasValueSatisfying(k -> assertThat(k.getAlgorithm()).isEqualTo("RSA"));
    assertThat(a.keyId()).contains("gw-1");
    assertThat(a.assertionAudience()).isEqualTo("https://idp.example.com/");

    TestPki.Issued ca = TestPki.rootCa("Client CA");
    TestPki.Issued client = TestPki.spec("gw").clientAuth().issuedBy(ca);
    client.writeKeyStore(dir.resolve("client.p12"));
    TestPki.writePem(dir.resolve("client.pem"), (Object[]) client.fullChain());
    IntrospectionEndpoint.writePkcs8(dir.resolve("client.key"), client.key());
    IntrospectionConfig fromStore = yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: tls_client_auth
        key-store: client.p12
        key-store-password: changeit
        """)).jwt().issuers().get(0).introspection().orElseThrow();
    assertThat(fromStore.certificateChain().get(0)).isEqualTo(client.certificate());
    IntrospectionConfig fromPem = yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: tls_client_auth
        certificate: client.pem
        private-key: client.key
        """)).jwt().issuers().get(0).introspection().orElseThrow();
    assertThat(fromPem.certificateChain()).containsExactly(client.fullChain());
    assertThat(fromPem.privateKey()).contains(client.key());
  }

  @Test
  void mistakesNameTheirKeyAndLine() {
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: client_secret_jwt
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.client-auth").hasMessageContaining("line 8")
        .hasMessageContaining("private_key_jwt");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        negative-cahce: 5s
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.negative-cahce");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection").hasMessageContaining("client-secret");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: ftp://idp.example.com/introspect
        client-id: gw
        client-secret-file: nowhere.txt
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.endpoint");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-secret-file: nowhere.txt
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.client-secret-file").hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        timeout: 0s
        client-secret: x
        """))).isInstanceOf(ConfigException.class).hasMessageContaining("introspection.timeout");
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: private_key_jwt
        """))).isInstanceOf(ConfigException.class).hasMessageContaining("needs private-key");
  }

  @Test
  void aKeyThatIsNotPkcs8IsRefusedWithTheConversionCommand() throws IOException {
    Files.writeString(dir.resolve("old.key"), TestPki.pem(IntrospectionEndpoint.rsaKeyPair().getPrivate()));
    assertThatThrownBy(() -> yaml(issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-auth: private_key_jwt
        private-key: old.key
        """))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("introspection.private-key").hasMessageContaining("openssl pkcs8 -topk8");
  }

  @Test
  void anInlineClientSecretIsRiskyUnlessAllowed() {
    String text = issuer("""
        endpoint: https://idp.example.com/introspect
        client-id: gw
        client-secret: inline-s3cret
        """);
    assertThatThrownBy(() -> yaml(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.client-secret")
        .hasMessageContaining("inline-client-secret")
        .hasMessageNotContaining("inline-s3cret");
    assertThat(yaml(text + "allow-risky: [ inline-client-secret ]\n").jwt().issuers().get(0).introspection()
        .orElseThrow().clientSecretInline()).isTrue();
  }

  @Test
  void plainHttpOffLoopbackIsRiskyUnlessAllowed() throws IOException {
    Files.writeString(dir.resolve("secret.txt"), "s3cret");
    String text = issuer("""
        endpoint: http://idp.example.com/introspect
        client-id: gw
        client-secret-file: secret.txt
        """);
    assertThatThrownBy(() -> yaml(text)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwt.issuers[0].introspection.endpoint")
        .hasMessageContaining("introspection-plain-http");
    assertThat(yaml(text + "allow-risky: [ introspection-plain-http ]\n").jwt().issuers()).hasSize(1);
    for (String loopback : new String[] {"127.0.0.1:8080", "localhost", "[::1]:9000"}) {
      assertThat(yaml(issuer("endpoint: http://" + loopback + "/introspect\nclient-id: gw\nclient-secret-file: secret.txt\n"))
          .jwt().issuers()).as(loopback).hasSize(1);
    }
  }

  @Test
  void theBuilderBuildsTheSameAndOnlyOneIssuerMayIntrospect() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "s3cret");
    IntrospectionConfig built = IntrospectionConfig.builder("https://idp.example.com/introspect")
        .clientId("gw").clientSecretFile(secret).negativeCache(Duration.ZERO).build();
    assertThat(built.clientAuth()).isEqualTo(IntrospectionConfig.ClientAuth.CLIENT_SECRET_BASIC);
    assertThat(built.negativeCache()).isZero();
    assertThat(built.assertionAudience()).isEqualTo("https://idp.example.com/introspect");
    JwtConfig.Issuer a = JwtConfig.Issuer.builder("a").audiences("api").introspection(built).build();
    JwtConfig.Issuer b = JwtConfig.Issuer.builder("b").audiences("api").introspection(built).build();
    assertThatThrownBy(() -> JwtConfig.builder().issuer(a).issuer(b).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("At most one issuer");
    assertThatThrownBy(() -> IntrospectionConfig.builder("https://user:pw@idp.example.com/introspect"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials");
    // an application's own secret (from a vault, say) is not "inline" in a configuration file
    assertThat(IntrospectionConfig.builder("https://idp.example.com/introspect").clientId("gw").clientSecret("x")
        .build().clientSecretInline()).isFalse();
  }
}
