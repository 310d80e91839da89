package io.apisec.dpop;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.apisec.jwt.SignatureProviders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one DPoP proof JWT as RFC 9449 §4.3 lists: {@code typ: dpop+jwt}, an accepted asymmetric
 * {@code alg}, a {@code jwk} header holding a public key only, the signature by that key, and the
 * claims {@code jti}, {@code htm}, {@code htu}, {@code iat} (within the window) and {@code ath}.
 * The replay check and the token binding are the caller's.
 *
 * <p>A client sends the same header with every proof, so the checked header (key, verifier, RFC
 * 7638 thumbprint) is cached by its encoded form, refusals included; the cache is bounded in
 * entries (10,000) and in the length of a key (1.5 KB), so at most about 15 MB.
 * Thread-safe. Refusals are values (a String detail that never echoes the proof).
 */
final class ProofVerifier {
  /** Most characters of a proof; an RSA-4096 proof is about 1.5 KB. */
  static final int MAX_PROOF_LENGTH = 8192;
  /** Longest encoded header that is cached (an RSA-4096 key's is about 950 characters). */
  private static final int MAX_CACHED_HEADER = 1536;
  private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
  private static final Map<String, Curve> EC_CURVES = Map.of("ES256", Curve.P_256, "ES384", Curve.P_384, "ES512", Curve.P_521);
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(8).maxStringLength(8192).maxNumberLength(32).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  private final Set<String> algorithms;
  private final Duration maxAge;
  private final Duration skew;
  private final Cache<String, Object> headers;

  ProofVerifier(List<String> algorithms, Duration maxAge, Duration skew) {
    this.algorithms = Set.copyOf(algorithms);
    this.maxAge = maxAge;
    this.skew = skew;
    this.headers = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();
  }

  /** A proof that passed every check here. */
  record Verified(String thumbprint, String jti, Instant iat) {}

  /**
   * Checks {@code proof} for a request with {@code method} to {@code requestUri} (normal form)
   * carrying {@code accessToken}; returns a {@link Verified} or a String saying why not.
   */
  Object verify(String proof, String method, String requestUri, String accessToken, Instant now) {
    if (proof.length() > MAX_PROOF_LENGTH) {
      return "The DPoP proof is larger than " + MAX_PROOF_LENGTH + " characters";
    }
    int first = proof.indexOf('.');
    int second = first < 0 ? -1 : proof.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || second == first + 1 || second == proof.length() - 1
        || proof.indexOf('.', second + 1) >= 0 || !base64url(proof)) {
      return "The DPoP proof is not a compact JWS";
    }
    String encodedHeader = proof.substring(0, first);
    // large headers are checked each time: the cache must stay small whatever clients send
    Object header = encodedHeader.length() <= MAX_CACHED_HEADER
        ? headers.get(encodedHeader, ProofVerifier::header) : header(encodedHeader);
    if (header instanceof String) {
      return header;
    }
    ProofKey key = (ProofKey) header;
    if (!algorithms.contains(key.alg)) {
      return "The DPoP proof's alg is not accepted";
    }
    Base64.Decoder decoder = Base64.getUrlDecoder();
    byte[] signature;
    try {
      signature = decoder.decode(proof.substring(second + 1));
    } catch (IllegalArgumentException e) {
      return "The DPoP proof's signature is not base64url";
    }
    if (!key.verify(proof.substring(0, second).getBytes(StandardCharsets.US_ASCII), signature)) {
      return "The DPoP proof's signature does not verify with its jwk";
    }
    Map<String, Object> claims;
    try {
      claims = JSON.readValue(decoder.decode(proof.substring(first + 1, second)), OBJECT);
    } catch (IOException | IllegalArgumentException e) {
      return "The DPoP proof's payload is not a JSON object with unique claim names";
    }
    if (claims == null) {
      return "The DPoP proof's payload is null";
    }
    Object jti = claims.get("jti");
    if (!(jti instanceof String) || ((String) jti).isEmpty() || ((String) jti).length() > 256) {
      return "The DPoP proof has no jti (or one longer than 256 characters)";
    }
    Object htm = claims.get("htm");
    if (!(htm instanceof String)) {
      return "The DPoP proof has no htm";
    }
    if (!htm.equals(method)) {
      return "The DPoP proof is for another method (htm)";
    }
    Object htu = claims.get("htu");
    if (!(htu instanceof String)) {
      return "The DPoP proof has no htu";
    }
    String proofUri = RequestUri.htu((String) htu);
    if (proofUri == null) {
      return "The DPoP proof's htu is not an http(s) URL";
    }
    if (!proofUri.equals(requestUri)) {
      return "The DPoP proof is for another URL (htu)";
    }
    Object iat = claims.get("iat");
    if (!(iat instanceof Integer || iat instanceof Long)) {
      return "The DPoP proof has no iat in whole seconds";
    }
    Instant issued = Instant.ofEpochSecond(((Number) iat).longValue());
    if (issued.isAfter(now.plus(skew))) {
      return "The DPoP proof is issued in the future (iat)";
    }
    if (issued.plus(maxAge).plus(skew).isBefore(now)) {
      return "The DPoP proof is too old (iat)";
    }
    Object ath = claims.get("ath");
    if (!(ath instanceof String)) {
      return "The DPoP proof has no ath (access token hash)";
    }
    if (!MessageDigest.isEqual(((String) ath).getBytes(StandardCharsets.US_ASCII),
        tokenHash(accessToken).getBytes(StandardCharsets.US_ASCII))) {
      return "The DPoP proof is for another access token (ath)";
    }
    return new Verified(key.thumbprint, (String) jti, issued);
  }

  /** The end of a verified proof's window: after it the proof is too old anyway. */
  Instant expiry(Instant iat) {
    return iat.plus(maxAge).plus(skew).plusSeconds(1);
  }

  /** {@code ath}: base64url SHA-256 of the access token's ASCII. */
  static String tokenHash(String accessToken) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(accessToken.getBytes(StandardCharsets.US_ASCII)));
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The checked header: a {@link ProofKey}, or a String refusal. */
  private static Object header(String encoded) {
    Map<String, Object> header;
    try {
      header = JSON.readValue(Base64.getUrlDecoder().decode(encoded), OBJECT);
    } catch (IOException | IllegalArgumentException e) {
      return "The DPoP proof's header is not a JSON object with unique member names";
    }
    if (header == null) {
      return "The DPoP proof's header is null";
    }
    Object typ = header.get("typ");
    if (!(typ instanceof String) || !((String) typ).equalsIgnoreCase("dpop+jwt")) {
      return "The DPoP proof's typ is not dpop+jwt";
    }
    Object alg = header.get("alg");
    if (!(alg instanceof String) || !io.apisec.config.DpopConfig.ALGORITHMS.contains(alg)) {
      // none, HS* and unknown names: a proof must be signed with the private key of its jwk
      return "The DPoP proof's alg is not an asymmetric signature algorithm";
    }
    if (header.containsKey("crit")) {
      return "The DPoP proof has critical header parameters (crit)";
    }
    Object jwk = header.get("jwk");
    if (!(jwk instanceof Map)) {
      return "The DPoP proof has no jwk header";
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> members = (Map<String, Object>) jwk;
    for (String name : members.keySet()) {
      if (PRIVATE_MEMBERS.contains(name)) {
        return "The DPoP proof's jwk holds private or symmetric key material";
      }
    }
    JWK parsed;
    try {
      parsed = JWK.parse(members);
    } catch (ParseException | RuntimeException e) {
      return "The DPoP proof's jwk is not a valid public JWK";
    }
    if (parsed.isPrivate()) {
      return "The DPoP proof's jwk holds private or symmetric key material";
    }
    return ProofKey.of((String) alg, parsed);
  }

  private static boolean base64url(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** The key of a proof header, its verifier and its thumbprint. Immutable and thread-safe. */
  static final class ProofKey {
    final String alg;
    final String thumbprint;
    private final JWSVerifier nimbus;
    private final PublicKey ed25519;

    private ProofKey(String alg, String thumbprint, JWSVerifier nimbus, PublicKey ed25519) {
      this.alg = alg;
      this.thumbprint = thumbprint;
      this.nimbus = nimbus;
      this.ed25519 = ed25519;
    }

    /** The key for {@code alg}, or a String refusal when the JWK does not fit it. */
    static Object of(String alg, JWK jwk) {
      try {
        String thumbprint = jwk.computeThumbprint().toString();
        if (jwk instanceof RSAKey) {
          if (!alg.startsWith("RS") && !alg.startsWith("PS")) {
            return "The DPoP proof's jwk does not fit its alg";
          }
          java.security.interfaces.RSAPublicKey key = ((RSAKey) jwk).toRSAPublicKey();
          if (key.getModulus().bitLength() < 2048) {
            return "The DPoP proof's RSA key is shorter than 2048 bits";
          }
          return new ProofKey(alg, thumbprint, new RSASSAVerifier(key), null);
        }
        if (jwk instanceof ECKey) {
          ECKey ec = (ECKey) jwk;
          if (!ec.getCurve().equals(EC_CURVES.get(alg))) {
            return "The DPoP proof's jwk does not fit its alg";
          }
          return new ProofKey(alg, thumbprint, ecdsaVerifier(ec), null);
        }
        if (jwk instanceof OctetKeyPair) {
          OctetKeyPair okp = (OctetKeyPair) jwk;
          if (!alg.equals("EdDSA") || !Curve.Ed25519.equals(okp.getCurve()) || okp.getDecodedX().length != 32) {
            return "The DPoP proof's jwk does not fit its alg";
          }
          return new ProofKey(alg, thumbprint, null, SignatureProviders.ed25519Key(okp.getDecodedX()));
        }
        return "The DPoP proof's jwk is not an RSA, EC or Ed25519 public key";
      } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
        return "The DPoP proof's jwk is not a valid public key";
      }
    }

    private static ECDSAVerifier ecdsaVerifier(ECKey ec) throws JOSEException, GeneralSecurityException {
      ECDSAVerifier verifier = new ECDSAVerifier(SignatureProviders.forEcdsa(ec.toECPublicKey()));
      if (SignatureProviders.ECDSA != null) {
        verifier.getJCAContext().setProvider(SignatureProviders.ECDSA);
      }
      return verifier;
    }

    boolean verify(byte[] signingInput, byte[] signature) {
      try {
        if (ed25519 != null) {
          return SignatureProviders.verifyEd25519(ed25519, signingInput, signature);
        }
        return nimbus.verify(new JWSHeader(JWSAlgorithm.parse(alg)), signingInput, Base64URL.encode(signature));
      } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
        return false;
      }
    }
  }
}
