package io.apisec.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signing key pair for tests with its JWK (public part): RSA, EC P-256/P-384/P-521, Ed25519.
 * Immutable.
 */
public final class TestKey {
  private final String kid;
  private final String alg;
  private final KeyPair pair;
  private final Map<String, Object> jwk;

  private TestKey(String kid, String alg, KeyPair pair, Map<String, Object> jwk) {
    this.kid = kid;
    this.alg = alg;
    this.pair = pair;
    this.jwk = Map.copyOf(jwk);
  }

  public static TestKey rsa(String kid) {
    return rsa(kid, 2048, "RS256");
  }

  /** An RSA key of {@code bits} whose tokens default to {@code alg} (RS* or PS*). */
  public static TestKey rsa(String kid, int bits, String alg) {
    KeyPair pair = generate("RSA", bits, null);
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "RSA");
    jwk.put("kid", kid);
    jwk.put("use", "sig");
    jwk.put("n", b64(unsigned(pub.getModulus())));
    jwk.put("e", b64(unsigned(pub.getPublicExponent())));
    return new TestKey(kid, alg, pair, jwk);
  }

  /** An EC key for ES256 (P-256), ES384 (P-384) or ES512 (P-521). */
  public static TestKey ec(String kid, String alg) {
    String curve = switch (alg) {
      case "ES256" -> "secp256r1";
      case "ES384" -> "secp384r1";
      case "ES512" -> "secp521r1";
      default -> throw new IllegalArgumentException(alg);
    };
    int size = switch (alg) {
      case "ES256" -> 32;
      case "ES384" -> 48;
      default -> 66;
    };
    KeyPair pair = generate("EC", 0, new ECGenParameterSpec(curve));
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "EC");
    jwk.put("kid", kid);
    jwk.put("use", "sig");
    jwk.put("crv", switch (alg) {
      case "ES256" -> "P-256";
      case "ES384" -> "P-384";
      default -> "P-521";
    });
    jwk.put("x", b64(fixed(pub.getW().getAffineX(), size)));
    jwk.put("y", b64(fixed(pub.getW().getAffineY(), size)));
    return new TestKey(kid, alg, pair, jwk);
  }

  public static TestKey ed25519(String kid) {
    KeyPair pair = generate("Ed25519", 0, null);
    byte[] encoded = pair.getPublic().getEncoded(); // X.509 SubjectPublicKeyInfo: 12-byte prefix, then x
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "OKP");
    jwk.put("kid", kid);
    jwk.put("use", "sig");
    jwk.put("crv", "Ed25519");
    jwk.put("x", b64(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length)));
    return new TestKey(kid, "EdDSA", pair, jwk);
  }

  public String kid() {
    return kid;
  }

  /** The algorithm its tokens use by default. */
  public String alg() {
    return alg;
  }

  public KeyPair pair() {
    return pair;
  }

  /** The public JWK as plain values. */
  public Map<String, Object> jwk() {
    return jwk;
  }

  /** The public JWK with extra or replaced members (such as {@code alg} or {@code use}). */
  public Map<String, Object> jwkWith(String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(jwk);
    copy.put(name, value);
    return copy;
  }

  /** This key under another kid (same key material). */
  public TestKey withKid(String newKid) {
    Map<String, Object> copy = new LinkedHashMap<>(jwk);
    copy.put("kid", newKid);
    return new TestKey(newKid, alg, pair, copy);
  }

  private static KeyPair generate(String algorithm, int bits, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      } else if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] fixed(BigInteger value, int size) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[size];
    System.arraycopy(bytes, 0, out, size - bytes.length, bytes.length);
    return out;
  }

  @Override
  public String toString() {
    return "TestKey[" + kid + ", " + alg + ']';
  }
}
