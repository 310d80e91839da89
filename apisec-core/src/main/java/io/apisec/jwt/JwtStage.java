package io.apisec.jwt;

import io.apisec.Attributes;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.Stage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies the bearer token of a request and puts its claims in {@link Attributes#CLAIMS}.
 *
 * <p>The issuer is chosen by the token's unverified {@code iss}, then only that issuer's keys can
 * verify it. A token verified before (by SHA-256) skips the signature; revocation is checked every
 * time. Never blocks: with the key cached the stage is already complete when returned; when a key
 * must be fetched it completes with the fetch. A token that is not a JWT (or a JWT of an issuer
 * without local keys) goes to the issuer's introspection endpoint when one is configured
 * ({@link TokenIntrospection}). Thread-safe.
 */
final class JwtStage implements Stage {
  private final Map<String, IssuerPolicy> issuers;
  private final VerifiedTokenCache cache;
  private final RevocationList revocations;
  private final int maxTokenSize;
  private final AtomicLong cacheHits;
  private final TokenIntrospection introspection;

  JwtStage(Map<String, IssuerPolicy> issuers, VerifiedTokenCache cache, RevocationList revocations,
      AtomicLong cacheHits, TokenIntrospection introspection) {
    this.issuers = Map.copyOf(issuers);
    this.introspection = introspection;
    this.cache = cache;
    this.revocations = revocations;
    this.cacheHits = cacheHits;
    this.maxTokenSize = issuers.values().stream().mapToInt(IssuerPolicy::maxTokenSize).max().orElse(0);
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    Headers headers = chain.request().headers();
    int count = headers.count("authorization");
    if (count == 0) {
      return deny(DenyReason.TOKEN_REQUIRED, "The route requires a bearer token");
    }
    if (count > 1) {
      return deny(DenyReason.INVALID_AUTHORIZATION, "The request has more than one Authorization header");
    }
    String value = headers.firstOrNull("authorization");
    int space = value.indexOf(' ');
    int schemeEnd = space < 0 ? value.length() : space;
    // RFC 9449: a DPoP-bound token is verified here the same; the DPoP stage then checks its proof
    if (!isScheme(value, schemeEnd, "bearer") && !isScheme(value, schemeEnd, "dpop")) {
      return deny(DenyReason.TOKEN_REQUIRED, "The route requires a bearer token, not another authorization scheme");
    }
    // the token's bounds as String.strip() would cut them, so a cache hit copies nothing
    int from = space < 0 ? value.length() : space + 1;
    int to = value.length();
    while (from < to && Character.isWhitespace(value.charAt(from))) {
      from++;
    }
    while (to > from && Character.isWhitespace(value.charAt(to - 1))) {
      to--;
    }
    String looked = null;
    if (from < to && to - from <= maxTokenSize) {
      // a cached token passed the syntax checks below when it was verified: a hit skips them
      looked = VerifiedTokenCache.hash(value, from, to);
      IssuerPolicy.Outcome cached = cache.get(looked);
      if (cached != null) {
        cacheHits.incrementAndGet();
        return accept(chain, cached);
      }
    }
    String token = value.substring(from, to);
    if (token.isEmpty() || !b64token(token)) {
      return deny(DenyReason.INVALID_AUTHORIZATION, "The Authorization header does not hold a bearer token");
    }
    if (token.length() > maxTokenSize) {
      return deny(DenyReason.INVALID_TOKEN, "The token is larger than any issuer allows");
    }
    String hash = looked;
    Object parsed = ParsedToken.parse(token);
    if (parsed instanceof String) {
      // not a JWT: an opaque token, which only the introspecting issuer (if any) can judge
      return introspection == null ? deny(DenyReason.INVALID_TOKEN, (String) parsed) : introspect(chain, token, hash);
    }
    ParsedToken jwt = (ParsedToken) parsed;
    String iss = jwt.claimString("iss");
    IssuerPolicy issuer = iss == null ? null : issuers.get(iss);
    if (issuer == null) {
      return deny(DenyReason.INVALID_TOKEN, iss == null ? "The token has no issuer (iss)" : "The token's issuer is not accepted");
    }
    if (!issuer.verifiesLocally()) {
      return introspect(chain, token, hash); // an issuer known only by its introspection endpoint
    }
    CompletableFuture<IssuerPolicy.Outcome> verified = issuer.verify(jwt, token.length()).toCompletableFuture();
    if (verified.isDone() && !verified.isCompletedExceptionally()) {
      return settle(chain, hash, verified.join());
    }
    return verified.thenCompose(outcome -> settle(chain, hash, outcome));
  }

  private static boolean isScheme(String value, int end, String scheme) {
    return end == scheme.length() && value.regionMatches(true, 0, scheme, 0, end);
  }

  private CompletionStage<Decision> settle(Chain chain, String hash, IssuerPolicy.Outcome outcome) {
    if (outcome.deny() != null) {
      return CompletableFuture.completedFuture(outcome.deny());
    }
    cache.put(hash, outcome);
    return accept(chain, outcome);
  }

  private CompletionStage<Decision> introspect(Chain chain, String token, String hash) {
    return introspection.introspect(token, hash).thenCompose(
        outcome -> outcome.deny() != null ? CompletableFuture.completedFuture(outcome.deny()) : accept(chain, outcome));
  }

  private CompletionStage<Decision> accept(Chain chain, IssuerPolicy.Outcome outcome) {
    String jti = outcome.claims().string("jti").orElse(null);
    if (revocations == null || jti == null) {
      chain.attributes().put(Attributes.CLAIMS, outcome.claims());
      return chain.proceed();
    }
    return revocations.isRevoked(jti).thenCompose(revoked -> {
      if (revoked) {
        return deny(DenyReason.INVALID_TOKEN, "The token has been revoked");
      }
      chain.attributes().put(Attributes.CLAIMS, outcome.claims());
      return chain.proceed();
    });
  }

  /** RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
  private static boolean b64token(String token) {
    int i = 0;
    int n = token.length();
    while (i < n) {
      char c = token.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
        i++;
      } else {
        break;
      }
    }
    if (i == 0) {
      return false;
    }
    while (i < n && token.charAt(i) == '=') {
      i++;
    }
    return i == n;
  }

  private static CompletionStage<Decision> deny(DenyReason reason, String detail) {
    return CompletableFuture.completedFuture(Decision.deny(reason, detail));
  }
}
