package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import io.apisec.internal.Json;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key selection rules and verification of each key family, without the pipeline. */
class VerificationKeyTest {
  private static VerificationKey key(Map<String, Object> jwk) throws Exception {
    Object made = VerificationKey.fromJwk(JWK.parse(Json.write(jwk)));
    assertThat(made).isInstanceOf(VerificationKey.class);
    return (VerificationKey) made;
  }

  private static Object refusal(Map<String, Object> jwk) throws Exception {
    return VerificationKey.fromJwk(JWK.parse(Json.write(jwk)));
  }

  @Test
  void keyTypeAndCurveMustFitTheAlgorithm() throws Exception {
    VerificationKey rsa = key(TestKey.rsa("r").jwk());
    VerificationKey p256 = key(TestKey.ec("e", "ES256").jwk());
    VerificationKey p384 = key(TestKey.ec("e", "ES384").jwk());
    VerificationKey ed = key(TestKey.ed25519("d").jwk());
    assertThat(rsa.fits("RS256")).isTrue();
    assertThat(rsa.fits("PS512")).isTrue();
    assertThat(rsa.fits("ES256")).isFalse();
    assertThat(rsa.fits("HS256")).isFalse();
    assertThat(p256.fits("ES256")).isTrue();
    assertThat(p256.fits("ES384")).isFalse();
    assertThat(p384.fits("ES384")).isTrue();
    assertThat(ed.fits("EdDSA")).isTrue();
    assertThat(ed.fits("ES256")).isFalse();
  }

  @Test
  void aJwkAlgRestrictsTheKeyToThatAlgorithm() throws Exception {
    VerificationKey ps = key(TestKey.rsa("r").jwkWith("alg", "PS256"));
    assertThat(ps.fits("PS256")).isTrue();
    assertThat(ps.fits("RS256")).isFalse();
  }

  @Test
  void unsuitableKeysAreRefusedWithAReason() throws Exception {
    assertThat(refusal(TestKey.rsa("r", 1024, "RS256").jwk())).asString().contains("shorter than 2048 bits");
    assertThat(refusal(TestKey.rsa("r").jwkWith("use", "enc"))).asString().contains("use is not 'sig'");
    Map<String, Object> encryptOnly = new java.util.LinkedHashMap<>(TestKey.rsa("r").jwk());
    encryptOnly.remove("use");
    encryptOnly.put("key_ops", java.util.List.of("encrypt"));
    assertThat(refusal(encryptOnly)).asString().contains("key_ops");
    assertThat(refusal(Map.of("kty", "oct", "k", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"))).asString()
        .contains("not supported");
  }

  @Test
  void eachFamilyVerifiesItsOwnSignaturesOnly() throws Exception {
    byte[] input = "header.payload".getBytes(StandardCharsets.US_ASCII);
    for (TestKey signer : new TestKey[] {TestKey.rsa("r"), TestKey.rsa("p", 2048, "PS384"),
        TestKey.ec("e", "ES512"), TestKey.ed25519("d")}) {
      VerificationKey key = key(signer.jwk());
      byte[] signature = TestIssuer.sign(signer.alg(), signer.pair().getPrivate(), input);
      assertThat(key.verify(signer.alg(), input, signature)).as(signer.alg()).isTrue();
      signature[signature.length / 2] ^= 0x40;
      assertThat(key.verify(signer.alg(), input, signature)).as(signer.alg() + " tampered").isFalse();
      assertThat(key.verify(signer.alg(), input, new byte[3])).as(signer.alg() + " short").isFalse();
    }
  }

  @Test
  void theSecretKeyVerifiesHmacs() {
    byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    VerificationKey key = VerificationKey.secret(secret);
    byte[] mac = TestIssuer.hmac("HS256", secret, "a.b");
    assertThat(key.fits("HS256")).isTrue();
    assertThat(key.verify("HS256", "a.b".getBytes(StandardCharsets.US_ASCII), mac)).isTrue();
    assertThat(key.verify("HS256", "a.c".getBytes(StandardCharsets.US_ASCII), mac)).isFalse();
  }
}
