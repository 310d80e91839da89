package io.apisec.jwt;

import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.config.JwtConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checks one issuer's tokens must pass (RFC 7519, RFC 8725, RFC 9068): algorithm allow list,
 * {@code typ}, size, lifetime, time claims with the clock skew, audience, then the signature with
 * this issuer's keys only. Thread-safe.
 */
final class IssuerPolicy {
  /** A verified token (with the issuer that verified it), or the denial of an unverifiable one. */
  record Outcome(Claims claims, Instant expiresAt, VerificationKey key, Decision.Deny deny, IssuerPolicy issuer) {
    static Outcome denied(Decision.Deny deny) {
      return new Outcome(null, null, null, deny, null);
    }
  }

  private final JwtConfig.Issuer config;
  private final JwksKeySource jwks;
  private final VerificationKey secret;
  private final Duration skew;
  private final Clock clock;
  private final AtomicLong verifications;

  IssuerPolicy(JwtConfig.Issuer config, JwksKeySource jwks, Duration skew, Clock clock, AtomicLong verifications) {
    this.config = config;
    this.jwks = jwks;
    this.secret = config.secret().map(VerificationKey::secret).orElse(null);
    this.skew = skew;
    this.clock = clock;
    this.verifications = verifications;
  }

  JwksKeySource jwks() {
    return jwks;
  }

  int maxTokenSize() {
    return config.maxTokenSize();
  }

  CompletionStage<Outcome> verify(ParsedToken token, int length) {
    if (length > config.maxTokenSize()) {
      return invalid("The token is larger than its issuer allows (" + config.maxTokenSize() + " bytes)");
    }
    String alg = token.headerString("alg");
    if (alg == null || alg.toLowerCase(Locale.ROOT).equals("none")) {
      return invalid("The token is not signed (alg none or missing)");
    }
    if (!config.acceptedAlgorithms().contains(alg)) {
      return invalid("The token's algorithm is not accepted for its issuer");
    }
    if (token.header.containsKey("crit")) {
      // apisec understands no critical extension (RFC 7515 4.1.11: an unknown one must fail)
      return invalid("The token has critical header parameters apisec does not understand");
    }
    if (config.type().isPresent()) {
      String typ = token.headerString("typ");
      String normal = typ == null ? "" : typ.toLowerCase(Locale.ROOT);
      normal = normal.startsWith("application/") ? normal.substring("application/".length()) : normal;
      if (!normal.equals(config.type().get())) {
        return invalid("The token's type (typ) is not " + config.type().get());
      }
    }
    Object kidValue = token.header.get("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      return invalid("The token's key id is not a string");
    }
    Instant now = clock.instant();
    Long exp = seconds(token.claims.get("exp"));
    if (exp == null) {
      return invalid(token.claims.containsKey("exp") ? "The token's exp is not a valid time" : "The token has no exp");
    }
    Long nbf = seconds(token.claims.get("nbf"));
    Long iat = seconds(token.claims.get("iat"));
    if (token.claims.containsKey("nbf") && nbf == null || token.claims.containsKey("iat") && iat == null) {
      return invalid("The token's nbf or iat is not a valid time");
    }
    long nowSeconds = now.getEpochSecond();
    long skewSeconds = skew.toSeconds();
    if (nowSeconds >= exp + skewSeconds) {
      return invalid("The token has expired");
    }
    if (nbf != null && nbf > nowSeconds + skewSeconds) {
      return invalid("The token is not valid yet (nbf)");
    }
    if (iat != null && iat > nowSeconds + skewSeconds) {
      return invalid("The token was issued in the future (iat)");
    }
    if (config.maxLifetime().isPresent()) {
      long start = iat != null ? iat : nbf != null ? nbf : nowSeconds;
      if (exp - start > config.maxLifetime().get().toSeconds()) {
        return invalid("The token's lifetime exceeds its issuer's maximum");
      }
    }
    if (!audienceAccepted(token.claims.get("aud"))) {
      return invalid("The token's audience is not accepted");
    }
    Instant expiresAt = Instant.ofEpochSecond(exp);
    if (alg.startsWith("HS")) {
      return CompletableFuture.completedFuture(check(token, alg, List.of(secret), expiresAt));
    }
    if (jwks == null) {
      return invalid("The token's algorithm is not accepted for its issuer");
    }
    CompletionStage<JwksKeySource.Lookup> lookup = jwks.keysFor((String) kidValue, alg);
    CompletableFuture<JwksKeySource.Lookup> done = lookup.toCompletableFuture();
    if (done.isDone() && !done.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(afterLookup(token, alg, done.join(), expiresAt));
    }
    return lookup.thenApply(found -> afterLookup(token, alg, found, expiresAt));
  }

  private Outcome afterLookup(ParsedToken token, String alg, JwksKeySource.Lookup lookup, Instant expiresAt) {
    if (lookup.unavailable()) {
      return Outcome.denied(Decision.deny(DenyReason.UNAVAILABLE, lookup.problem())
          .withHeader("Retry-After", Long.toString(lookup.retryAfterSeconds())));
    }
    if (lookup.keys().isEmpty()) {
      return Outcome.denied(Decision.deny(DenyReason.INVALID_TOKEN, lookup.problem()));
    }
    return check(token, alg, lookup.keys(), expiresAt);
  }

  /**
   * Whether this issuer's keys may still verify: always for a secret, and for a key set until it
   * is past its maximum staleness — after that even tokens verified before must not pass.
   */
  boolean keysUsable(Instant now) {
    return jwks == null || jwks.usable(now);
  }

  private Outcome check(ParsedToken token, String alg, List<VerificationKey> keys, Instant expiresAt) {
    for (VerificationKey key : keys) {
      verifications.incrementAndGet();
      if (key.verify(alg, token.signingInput, token.signature)) {
        return new Outcome(claims(token.claims), expiresAt, key, null, this);
      }
    }
    return Outcome.denied(Decision.deny(DenyReason.INVALID_TOKEN, "The token's signature is invalid"));
  }

  private static Claims claims(Map<String, Object> values) {
    Map<String, Object> present = new LinkedHashMap<>(values);
    present.values().removeIf(v -> v == null);
    return new Claims(present);
  }

  private boolean audienceAccepted(Object aud) {
    if (aud instanceof String) {
      return config.audiences().contains(aud);
    }
    if (aud instanceof Collection) {
      for (Object a : (Collection<?>) aud) {
        if (a instanceof String && config.audiences().contains(a)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A NumericDate as whole seconds, or null when it is not a sensible one. */
  private static Long seconds(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      long v = ((Number) value).longValue();
      return v < 0 || v > 253_402_300_799L ? null : v; // up to 9999-12-31
    }
    if (value instanceof Double || value instanceof BigDecimal) {
      double v = ((Number) value).doubleValue();
      return Double.isFinite(v) && v >= 0 && v <= 253_402_300_799d ? (long) Math.floor(v) : null;
    }
    if (value instanceof BigInteger) {
      return null;
    }
    return null;
  }

  private static CompletionStage<Outcome> invalid(String detail) {
    return CompletableFuture.completedFuture(Outcome.denied(Decision.deny(DenyReason.INVALID_TOKEN, detail)));
  }
}
