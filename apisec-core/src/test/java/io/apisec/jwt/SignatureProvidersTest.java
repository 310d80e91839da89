package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SignatureProvidersTest {
  private static final byte[] INPUT = "header.payload".getBytes(StandardCharsets.US_ASCII);

  @Test
  void bouncyCastleOnTheClassPathIsChosenForEcdsaAndEd25519WithoutBeingRegistered() {
    // the core's tests have BouncyCastle (through bcpkix) but not Conscrypt on the class path
    assertThat(SignatureProviders.describe(SignatureProviders.ECDSA)).isEqualTo("BC");
    assertThat(SignatureProviders.describe(SignatureProviders.ED25519)).isEqualTo("BC");
    assertThat(Security.getProvider("BC")).as("never registered globally").isNull();
  }

  @Test
  void anEd25519KeyRebuiltFromItsRawBytesVerifiesWhatTheJdkSignedAndNothingElse() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] x = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(INPUT);
    byte[] signature = signer.sign();

    var key = SignatureProviders.ed25519Key(x);
    assertThat(key.getEncoded()).isEqualTo(encoded);
    assertThat(SignatureProviders.verifyEd25519(key, INPUT, signature)).isTrue();
    signature[0] ^= 1;
    assertThat(SignatureProviders.verifyEd25519(key, INPUT, signature)).isFalse();
    assertThatThrownBy(() -> SignatureProviders.ed25519Key(new byte[31])).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void anEcKeyForTheEcdsaProviderIsTheSameKeyOwnedByThatProvider() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    ECPublicKey key = SignatureProviders.forEcdsa((ECPublicKey) pair.getPublic());
    assertThat(key.getW()).isEqualTo(((ECPublicKey) pair.getPublic()).getW());
    assertThat(key.getClass().getName()).startsWith("org.bouncycastle.");
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(pair.getPrivate());
    signer.update(INPUT);
    Signature verifier = Signature.getInstance("SHA256withECDSA", SignatureProviders.ECDSA);
    verifier.initVerify(key);
    verifier.update(INPUT);
    assertThat(verifier.verify(signer.sign())).isTrue();
  }
}
