package io.apisec.jwt;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;

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

  private static final byte[] ED25519_X509_PREFIX = {
      0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private SignatureProviders() {}

  /**
   * The EC public key as the ECDSA provider's own key object, so that the provider never converts
   * it on each verification; the key itself when the JDK's provider serves.
   */
  public static ECPublicKey forEcdsa(ECPublicKey key) throws GeneralSecurityException {
    if (ECDSA == null) {
      return key;
    }
    return (ECPublicKey) KeyFactory.getInstance("EC", ECDSA).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
  }

  /** The Ed25519 public key with this 32-byte encoding (RFC 8032), built by the Ed25519 provider. */
  public static PublicKey ed25519Key(byte[] x) throws GeneralSecurityException {
    if (x.length != 32) {
      throw new GeneralSecurityException("an Ed25519 public key is 32 bytes");
    }
    byte[] encoded = new byte[ED25519_X509_PREFIX.length + 32];
    System.arraycopy(ED25519_X509_PREFIX, 0, encoded, 0, ED25519_X509_PREFIX.length);
    System.arraycopy(x, 0, encoded, ED25519_X509_PREFIX.length, 32);
    KeyFactory factory = ED25519 == null ? KeyFactory.getInstance("Ed25519") : KeyFactory.getInstance("Ed25519", ED25519);
    return factory.generatePublic(new X509EncodedKeySpec(encoded));
  }

  /** Whether {@code signature} signs {@code input} under the Ed25519 key {@code key}, on the chosen provider. */
  public static boolean verifyEd25519(PublicKey key, byte[] input, byte[] signature) throws GeneralSecurityException {
    Signature verifier = ED25519 == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", ED25519);
    verifier.initVerify(key);
    verifier.update(input);
    return verifier.verify(signature);
  }

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
