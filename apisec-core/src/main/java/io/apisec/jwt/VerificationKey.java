package io.apisec.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;
import java.util.Set;

/**
 * One key an issuer verifies with, with its verifier built once: converting a JWK to a public key
 * and creating a verifier per call is most of the processor's overhead over the raw verify.
 *
 * <p>Immutable and thread-safe (the nimbus verifiers and the JDK's Ed25519 path create their
 * {@link Signature} per call).
 */
final class VerificationKey {
  static final int MIN_RSA_BITS = 2048;
  private static final Map<String, Curve> EC_CURVES =
      Map.of("ES256", Curve.P_256, "ES384", Curve.P_384, "ES512", Curve.P_521);

  enum Family { RSA, EC, OKP, SECRET }

  private final String kid;
  private final Family family;
  private final Curve curve;
  private final String alg;
  private final String json;
  private final JWSVerifier nimbus;
  private final PublicKey ed25519;

  private VerificationKey(String kid, Family family, Curve curve, String alg, String json, JWSVerifier nimbus,
      PublicKey ed25519) {
    this.kid = kid;
    this.family = family;
    this.curve = curve;
    this.alg = alg;
    this.json = json;
    this.nimbus = nimbus;
    this.ed25519 = ed25519;
  }

  /** The key for an issuer's shared secret. */
  static VerificationKey secret(byte[] secret) {
    try {
      return new VerificationKey(null, Family.SECRET, null, null, "", new MACVerifier(secret), null);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("The HS secret cannot be used: " + e.getMessage(), e);
    }
  }

  /** A verifying key from a JWK, or a refusal saying why the JWK cannot be one. */
  static Object fromJwk(JWK jwk) {
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      return "its use is not 'sig'";
    }
    Set<KeyOperation> ops = jwk.getKeyOperations();
    if (ops != null && !ops.contains(KeyOperation.VERIFY)) {
      return "its key_ops do not include 'verify'";
    }
    String alg = jwk.getAlgorithm() == null ? null : jwk.getAlgorithm().getName();
    String json = jwk.toJSONString();
    try {
      if (jwk instanceof RSAKey) {
        RSAPublicKey key = ((RSAKey) jwk).toRSAPublicKey();
        if (key.getModulus().bitLength() < MIN_RSA_BITS) {
          return "its RSA modulus is shorter than " + MIN_RSA_BITS + " bits";
        }
        return new VerificationKey(jwk.getKeyID(), Family.RSA, null, alg, json, new RSASSAVerifier(key), null);
      }
      if (jwk instanceof ECKey) {
        ECKey ec = (ECKey) jwk;
        if (!EC_CURVES.containsValue(ec.getCurve())) {
          return "its curve is not supported";
        }
        return new VerificationKey(jwk.getKeyID(), Family.EC, ec.getCurve(), alg, json, ecdsaVerifier(ec), null);
      }
      if (jwk instanceof OctetKeyPair) {
        OctetKeyPair okp = (OctetKeyPair) jwk;
        if (!Curve.Ed25519.equals(okp.getCurve())) {
          return "its OKP curve is not Ed25519";
        }
        byte[] x = okp.getDecodedX();
        if (x.length != 32) {
          return "its Ed25519 public key is not 32 bytes";
        }
        // the key comes from the provider that verifies, so it is never converted per call
        PublicKey key = SignatureProviders.ed25519Key(x);
        return new VerificationKey(jwk.getKeyID(), Family.OKP, Curve.Ed25519, alg, json, null, key);
      }
      return "its key type is not supported";
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      return "it is not a valid public key";
    }
  }

  /**
   * An ECDSA verifier on the fastest provider available, with the public key built by that same
   * provider (a key of another provider would be converted on every verification).
   */
  private static ECDSAVerifier ecdsaVerifier(ECKey ec) throws JOSEException, GeneralSecurityException {
    ECDSAVerifier verifier = new ECDSAVerifier(SignatureProviders.forEcdsa(ec.toECPublicKey()));
    if (SignatureProviders.ECDSA != null) {
      verifier.getJCAContext().setProvider(SignatureProviders.ECDSA);
    }
    return verifier;
  }

  String kid() {
    return kid;
  }

  /** The JWK as published, to recognise the same key across refreshes. */
  String json() {
    return json;
  }

  /** Whether this key may verify a token signed with {@code algorithm} (type, curve and its own alg). */
  boolean fits(String algorithm) {
    if (alg != null && !alg.equals(algorithm)) {
      return false;
    }
    switch (family) {
      case RSA:
        return algorithm.startsWith("RS") || algorithm.startsWith("PS");
      case EC:
        return curve.equals(EC_CURVES.get(algorithm));
      case OKP:
        return algorithm.equals("EdDSA");
      default:
        return algorithm.startsWith("HS");
    }
  }

  /** Checks the signature; the caller has checked {@link #fits}. */
  boolean verify(String algorithm, byte[] signingInput, byte[] signature) {
    return verify(algorithm, signingInput, signature, null);
  }

  /**
   * Checks the signature, given also as the base64url text the token carried (or null): nimbus
   * takes it encoded and decodes it again, so passing the token's own text saves a re-encoding.
   */
  boolean verify(String algorithm, byte[] signingInput, byte[] signature, String encodedSignature) {
    try {
      if (ed25519 != null) {
        return SignatureProviders.verifyEd25519(ed25519, signingInput, signature);
      }
      // only alg is set: crit and every other header parameter were checked before
      JWSHeader header = new JWSHeader(JWSAlgorithm.parse(algorithm));
      return nimbus.verify(header, signingInput,
          encodedSignature == null ? Base64URL.encode(signature) : new Base64URL(encodedSignature));
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      // malformed signatures (wrong length, r = s = 0) are just invalid ones
      return false;
    }
  }

  @Override
  public String toString() {
    return "VerificationKey[" + family + (kid == null ? "" : ", kid=" + kid) + ']';
  }
}
