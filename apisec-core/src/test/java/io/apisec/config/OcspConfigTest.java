package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OcspConfigTest {
  private static Path dir;

  @BeforeAll
  static void files() throws Exception {
    dir = Files.createTempDirectory("apisec-ocsp-config");
    TestPki.Issued root = TestPki.rootCa("Config Root");
    TestPki.writePem(dir.resolve("root.pem"), root.certificate());
    TestPki.writePem(dir.resolve("responder.pem"), TestPki.spec("Responder").ocspSigning().issuedBy(root).certificate());
  }

  private static ApiSecurityConfig parse(String yaml) {
    return ConfigLoader.parseYaml(yaml, dir);
  }

  @Test
  void ocspSectionReadsEveryKey() {
    OcspSettings ocsp = parse("""
        mtls:
          trust-anchors: [ root.pem ]
          forwarded-header: rfc9440
          ocsp:
            mode: hard-fail
            responder-url: http://ocsp.example.com/ca1
            responder-certificate: responder.pem
            timeout: 2s
            cache-max-entries: 500
            max-age: 10m
            stapled-header: Client-Cert-OCSP
            check: chain
        """).mtls().ocsp();
    assertThat(ocsp.mode()).isEqualTo(OcspSettings.Mode.HARD_FAIL);
    assertThat(ocsp.responderUrl()).contains(URI.create("http://ocsp.example.com/ca1"));
    assertThat(ocsp.responderCertificate()).contains(dir.resolve("responder.pem"));
    assertThat(ocsp.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(ocsp.cacheMaxEntries()).isEqualTo(500);
    assertThat(ocsp.maxAge()).isEqualTo(Duration.ofMinutes(10));
    assertThat(ocsp.stapledHeader()).isEqualTo("client-cert-ocsp");
    assertThat(ocsp.check()).isEqualTo(OcspSettings.Check.CHAIN);
  }

  @Test
  void defaultsAreOffLeafFiveSecondsOneHourNoStapling() {
    OcspSettings off = parse("mtls: { trust-anchors: root.pem }").mtls().ocsp();
    assertThat(off.enabled()).isFalse();
    OcspSettings on = parse("mtls: { trust-anchors: root.pem, ocsp: { mode: hard-fail } }").mtls().ocsp();
    assertThat(on.enabled()).isTrue();
    assertThat(on.check()).isEqualTo(OcspSettings.Check.LEAF);
    assertThat(on.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(on.maxAge()).isEqualTo(Duration.ofHours(1));
    assertThat(on.cacheMaxEntries()).isEqualTo(10_000);
    assertThat(on.stapledHeader()).isEmpty();
    assertThat(on.responderUrl()).isEmpty();
  }

  @Test
  void softFailIsRefusedUnlessAcceptedAsRisky() {
    assertThatThrownBy(() -> parse("mtls: { trust-anchors: root.pem, ocsp: { mode: soft-fail } }"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.mode")
        .hasMessageContaining("allow-risky: [ocsp-soft-fail]");
    assertThat(parse("mtls: { trust-anchors: root.pem, ocsp: { mode: soft-fail } }\nallow-risky: [ocsp-soft-fail]\n")
        .mtls().ocsp().mode()).isEqualTo(OcspSettings.Mode.SOFT_FAIL);
    assertThatThrownBy(() -> ApiSecurityConfig.builder()
        .mtls(MtlsSettings.builder().ocsp(OcspSettings.builder().mode(OcspSettings.Mode.SOFT_FAIL).build()).build())
        .build())
        .isInstanceOf(ConfigException.class).hasMessageContaining("ocsp-soft-fail");
  }

  @Test
  void badValuesAreRefusedWithKeyAndLine() {
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: sometimes\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.mode").hasMessageContaining("line 3")
        .hasMessageContaining("off, soft-fail, hard-fail");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    timeout: 2s\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp").hasMessageContaining("missing required key 'mode'");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    responder-url: ldap://ca.example.com\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.responder-url").hasMessageContaining("line 4");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    timeout: 0s\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.timeout").hasMessageContaining("line 4");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    cache-max-entries: many\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.cache-max-entries").hasMessageContaining("line 4");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    max-age: -1m\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.max-age").hasMessageContaining("line 4");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    check: all\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.check").hasMessageContaining("leaf, chain");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    responder-certificate: nope.pem\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.responder-certificate")
        .hasMessageContaining("nope.pem");
    assertThatThrownBy(() -> parse("mtls:\n  ocsp:\n    mode: hard-fail\n    responder: http://x\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.responder").hasMessageContaining("line 4");
  }

  @Test
  void stapledHeaderNeedsForwardedCertificates() {
    assertThatThrownBy(() -> parse("mtls:\n  ocsp: { mode: hard-fail, stapled-header: Client-Cert-OCSP }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.stapled-header")
        .hasMessageContaining("mtls.forwarded-header is none");
    assertThatThrownBy(() -> parse("mtls:\n  forwarded-header: xfcc\n  ocsp: { mode: hard-fail, stapled-header: \"a b\" }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mtls.ocsp.stapled-header").hasMessageContaining("line 3");
  }
}
