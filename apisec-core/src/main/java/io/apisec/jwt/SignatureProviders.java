package io.apisec.jwt;

import java.security.Provider;
import java.security.Security;

/**
 * Picks, once per JVM, the fastest correct JCA provider on the class path for the signature
 * families where the JDK's own is slow: ECDSA (Conscrypt, then BouncyCastle) and Ed25519
 * (BouncyCastle). Nothing is registered globally — the host application's TLS and crypto keep
 * their providers — and when none of these is present, or one fails to load (Conscrypt's native
 * library), the JDK's provider is used. The core does not depend on either library; a host adds
 * one to its class path to get the speed. Public for the DPoP proof check ({@code io.apisec.dpop}).
 */
public final class SignatureProviders {
  /** The provider for ECDSA verification, or null for the JDK's. */
  public static final Provider ECDSA = find("SHA256withECDSA",
      "Conscrypt", "org.conscrypt.OpenSSLProvider",
      "BC", "org.bouncycastle.jce.provider.BouncyCastleProvider");
  /** The provider for Ed25519 verification, or null for the JDK's. */
  public static final Provider ED25519 = find("Ed25519",
      "BC", "org.bouncycastle.jce.provider.BouncyCastleProvider");

  private SignatureProviders() {}

  private static Provider find(String signature, String... namesAndClasses) {
    for (int i = 0; i < namesAndClasses.length; i += 2) {
      Provider provider = Security.getProvider(namesAndClasses[i]);
      if (provider == null) {
        provider = instantiate(namesAndClasses[i + 1]);
      }
      if (provider != null && provider.getService("Signature", signature) != null
          && provider.getService("KeyFactory", signature.equals("Ed25519") ? "Ed25519" : "EC") != null) {
        return provider;
      }
    }
    return null;
  }

  private static Provider instantiate(String className) {
    try {
      return (Provider) Class.forName(className).getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // absent, or present without its native library: the JDK's provider serves
      return null;
    }
  }

  /** The provider's name for health and logs, "SunEC" style for the JDK. */
  static String describe(Provider provider) {
    return provider == null ? "JDK" : provider.getName();
  }
}
