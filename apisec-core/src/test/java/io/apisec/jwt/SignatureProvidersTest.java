package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Security;
import org.junit.jupiter.api.Test;

class SignatureProvidersTest {
  @Test
  void bouncyCastleOnTheClassPathIsChosenForEcdsaAndEd25519WithoutBeingRegistered() {
    // the core's tests have BouncyCastle (through bcpkix) but not Conscrypt on the class path
    assertThat(SignatureProviders.describe(SignatureProviders.ECDSA)).isEqualTo("BC");
    assertThat(SignatureProviders.describe(SignatureProviders.ED25519)).isEqualTo("BC");
    assertThat(Security.getProvider("BC")).as("never registered globally").isNull();
  }
}
