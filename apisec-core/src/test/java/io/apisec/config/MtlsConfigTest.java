package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.internal.TrustedProxies;
import io.apisec.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MtlsConfigTest {
  private static Path dir;

  @BeforeAll
  static void files() throws Exception {
    dir = Files.createTempDirectory("apisec-mtls-config");
    TestPki.Issued root = TestPki.rootCa("Config Root");
    TestPki.writePem(dir.resolve("root.pem"), root.certificate());
    TestPki.writePem(dir.resolve("int.pem"), TestPki.spec("Config Int").ca().issuedBy(root).certificate());
    TestPki.writePem(dir.resolve("root.crl"), TestPki.crl(root));
  }

  private static ApiSecurityConfig parse(String yaml) {
    return ConfigLoader.parseYaml(yaml, dir);
  }

  @Test
  void mtlsSectionReadsEveryKey() {
    ApiSecurityConfig config = parse("""
        client-ip-header: forwarded
        mtls:
          trust-anchors: [ root.pem ]
          intermediates: int.pem
          crls: [ root.crl ]
          clock-skew: 30s
          require-eku: false
          forwarded-header: { format: rfc9440, name: X-Client-Cert, chain-name: X-Client-Cert-Chain }
        allow-risky: [ no-client-auth-eku ]
        """);
    MtlsSettings mtls = config.mtls();
    assertThat(mtls.trustAnchors()).containsExactly(dir.resolve("root.pem"));
    assertThat(mtls.intermediates()).containsExactly(dir.resolve("int.pem"));
    assertThat(mtls.crls()).containsExactly(dir.resolve("root.crl"));
    assertThat(mtls.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(mtls.requireClientAuthEku()).isFalse();
    assertThat(mtls.forwardedFormat()).isEqualTo(MtlsSettings.ForwardedFormat.RFC9440);
    assertThat(mtls.forwardedHeader()).isEqualTo("x-client-cert");
    assertThat(mtls.forwardedChainHeader()).isEqualTo("x-client-cert-chain");
    assertThat(config.clientIpHeader()).isEqualTo(TrustedProxies.ClientIpHeader.FORWARDED);
  }

  @Test
  void defaultsAreStrictAndReadNoForwardedHeader() {
    ApiSecurityConfig config = parse("mtls: { trust-anchors: root.pem, forwarded-header: xfcc }");
    assertThat(config.mtls().clockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.mtls().requireClientAuthEku()).isTrue();
    assertThat(config.mtls().forwardedHeader()).isEqualTo("x-forwarded-client-cert");
    assertThat(ApiSecurityConfig.builder().build().mtls().forwardedFormat()).isEqualTo(MtlsSettings.ForwardedFormat.NONE);
    assertThat(ApiSecurityConfig.builder().build().clientIpHeader()).isEqualTo(TrustedProxies.ClientIpHeader.X_FORWARDED_FOR);
  }

  @Test
  void unknownMtlsKeyIsRefusedWithKeyAndLine() {
    assertThatThrownBy(() -> parse("""
        mtls:
          trust-anchors: [ root.pem ]
          trust-anchor: [ root.pem ]
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mtls.trust-anchor").hasMessageContaining("line 3").hasMessageContaining("did you mean 'trust-anchors'");
  }

  @Test
  void missingTrustAnchorFileIsRefusedWithKeyAndLine() {
    assertThatThrownBy(() -> parse("""
        mtls:
          trust-anchors:
            - root.pem
            - missing.pem
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mtls.trust-anchors[1]").hasMessageContaining("line 4").hasMessageContaining("missing.pem");
  }

  @Test
  void badValuesAreRefusedWithKeyAndLine() {
    assertThatThrownBy(() -> parse("mtls:\n  forwarded-header: envoy\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.forwarded-header").hasMessageContaining("line 2")
        .hasMessageContaining("xfcc, pem, rfc9440");
    assertThatThrownBy(() -> parse("mtls:\n  forwarded-header: { format: xfcc, chain-name: X }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.forwarded-header.chain-name");
    assertThatThrownBy(() -> parse("mtls:\n  forwarded-header: { format: pem, name: \"bad name\" }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.forwarded-header").hasMessageContaining("line 2");
    assertThatThrownBy(() -> parse("mtls:\n  clock-skew: soon\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.clock-skew").hasMessageContaining("line 2");
    assertThatThrownBy(() -> parse("mtls:\n  require-eku: maybe\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.require-eku").hasMessageContaining("line 2");
    assertThatThrownBy(() -> parse("client-ip-header: x-real-ip\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("client-ip-header").hasMessageContaining("line 1");
  }

  @Test
  void routeCertificateAllowListAndMtlsModeLoad() {
    ApiSecurityConfig config = parse("""
        mtls: { trust-anchors: root.pem }
        routes:
          - match: GET /orders
            auth: mtls
            certificates: [ "spiffe://example.org/*", "dns:orders.example.com" ]
        """);
    io.apisec.ApiSecurity security = io.apisec.ApiSecurity.builder(config).auditToSystemLogger(false).build();
    assertThat(security.config().routes().get(0).certificateAllow()).hasSize(2);
  }

  @Test
  void unreadableTrustAnchorFileFailsAtStartNamingTheKey() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    ApiSecurityConfig config = parse("mtls: { trust-anchors: bad.pem }");
    assertThatThrownBy(() -> io.apisec.ApiSecurity.of(config))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.trust-anchors").hasMessageContaining(bad.toString());
  }

  @Test
  void leafCertificateAsTrustAnchorFailsAtStart() throws Exception {
    TestPki.Issued root = TestPki.rootCa("Leaf Root");
    TestPki.writePem(dir.resolve("leaf.pem"), TestPki.spec("leaf").clientAuth().issuedBy(root).certificate());
    ApiSecurityConfig config = parse("mtls: { trust-anchors: leaf.pem }");
    assertThatThrownBy(() -> io.apisec.ApiSecurity.of(config))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a CA certificate");
  }
}
