package io.apisec.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.testing.TestPki;
import io.apisec.testing.TestPki.Issued;
import java.net.URI;
import java.util.Arrays;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

class OcspMessagesTest {
  private static final Issued CA = TestPki.rootCa("Messages Root");
  private static final Issued LEAF = TestPki.spec("leaf").clientAuth().ocspUrl("http://ocsp.example.com:8080/ca").issuedBy(CA);

  @Test
  void requestIsAnOcspRequestBouncyCastleReadsWithTheSameCertId() throws Exception {
    byte[] der = OcspMessages.request(OcspMessages.CertId.of(LEAF.certificate(), CA.certificate()));
    OCSPReq parsed = new OCSPReq(der);
    assertThat(parsed.getRequestList()).hasSize(1);
    CertificateID expected = new JcaCertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
        CA.certificate(), LEAF.certificate().getSerialNumber());
    assertThat(parsed.getRequestList()[0].getCertID()).isEqualTo(expected);
    assertThat(parsed.hasExtensions()).isFalse();
  }

  @Test
  void responderUrlIsReadFromAuthorityInformationAccess() {
    assertThat(OcspMessages.responders(LEAF.certificate())).containsExactly(URI.create("http://ocsp.example.com:8080/ca"));
    assertThat(OcspMessages.responders(CA.certificate())).isEmpty();
  }

  @Test
  void truncatedOrPaddedDerIsRefused() {
    byte[] der = OcspMessages.request(OcspMessages.CertId.of(LEAF.certificate(), CA.certificate()));
    assertThatThrownBy(() -> Der.parse(Arrays.copyOf(der, der.length - 1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Der.parse(Arrays.copyOf(der, der.length + 1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Der.parse(new byte[] {0x30, (byte) 0x84, 0, 0, 0, 1, 0})).isInstanceOf(IllegalArgumentException.class);
  }
}
