package io.apisec.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import io.apisec.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A DPoP client for tests (RFC 9449): a key pair that mints proofs for requests, with any header
 * or claim changed, removed or added — so that hostile proofs can be made too. Proof times come
 * from the clock. Thread-safe (each {@link Proof} is not).
 */
public final class DpopClient {
  private final TestKey key;
  private final Clock clock;

  public DpopClient(TestKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
  }

  /** A client with a fresh P-256 key (ES256). */
  public static DpopClient es256(Clock clock) {
    return new DpopClient(TestKey.ec("dpop", "ES256"), clock);
  }

  public TestKey key() {
    return key;
  }

  /** The public JWK a proof carries: the key's members without kid and use. */
  public Map<String, Object> publicJwk() {
    Map<String, Object> jwk = new LinkedHashMap<>(key.jwk());
    jwk.remove("kid");
    jwk.remove("use");
    return jwk;
  }

  /** The RFC 7638 SHA-256 thumbprint of the key, as a token's {@code cnf.jkt}. */
  public String jkt() {
    try {
      return JWK.parse(publicJwk()).computeThumbprint().toString();
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code cnf} claim value binding a token to this key. */
  public Map<String, Object> cnf() {
    return Map.of("jkt", jkt());
  }

  /** A proof for {@code method} on {@code url} carrying {@code accessToken} (null: no ath). */
  public Proof proof(String method, String url, String accessToken) {
    return new Proof(method, url, accessToken);
  }

  /** base64url(SHA-256(token)). */
  public static String ath(String accessToken) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A proof being minted. Not thread-safe. */
  public final class Proof {
    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private TestKey signer = key;
    private String signatureOverride;

    private Proof(String method, String url, String accessToken) {
      header.put("typ", "dpop+jwt");
      header.put("alg", key.alg());
      header.put("jwk", publicJwk());
      claims.put("jti", UUID.randomUUID().toString());
      claims.put("htm", method);
      claims.put("htu", url);
      claims.put("iat", clock.instant().getEpochSecond());
      if (accessToken != null) {
        claims.put("ath", ath(accessToken));
      }
    }

    /** Sets a header parameter; null removes it. */
    public Proof header(String name, Object value) {
      if (value == null) {
        header.remove(name);
      } else {
        header.put(name, value);
      }
      return this;
    }

    /** Sets a claim; null removes it. */
    public Proof claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Signs with another key (the header still names this client's key). */
    public Proof signedBy(TestKey other) {
      this.signer = other;
      return this;
    }

    /** Uses this base64url text as the signature, verbatim (empty for alg none). */
    public Proof signature(String base64url) {
      this.signatureOverride = base64url;
      return this;
    }

    /** The compact JWS. */
    public String sign() {
      String h = TestKey.b64(Json.write(header).getBytes(StandardCharsets.UTF_8));
      String p = TestKey.b64(Json.write(claims).getBytes(StandardCharsets.UTF_8));
      String input = h + "." + p;
      if (signatureOverride != null) {
        return input + "." + signatureOverride;
      }
      String alg = String.valueOf(header.get("alg"));
      byte[] signature = alg.startsWith("HS")
          ? TestIssuer.hmac(alg, "a-secret-of-at-least-thirty-two-bytes!!".getBytes(StandardCharsets.UTF_8), input)
          : TestIssuer.sign(alg, signer.pair().getPrivate(), input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + TestKey.b64(signature);
    }
  }
}
