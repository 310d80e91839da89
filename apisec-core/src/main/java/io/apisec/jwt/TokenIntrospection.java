package io.apisec.jwt;

import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Health;
import io.apisec.config.IntrospectionConfig;
import io.apisec.config.JwtConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks opaque access tokens of one issuer with its introspection endpoint (RFC 7662), and turns an
 * active answer into the same {@link IssuerPolicy.Outcome} a verified JWT gives: the response's
 * members become the claims, so audience, scopes, required claims, {@code cnf} bindings and the
 * identity work as for a JWT.
 *
 * <p>Thread-safe; never blocks. A cached answer returns a completed stage. Concurrent requests with
 * the same token share one call. When the endpoint fails (down, slow, non-200, malformed), an active
 * answer cached earlier serves until its staleness bound, else the token is refused with 503 and
 * {@code Retry-After} — an unknown token is never let through because the endpoint is down.
 */
final class TokenIntrospection {
  private static final Decision.Deny NOT_ACTIVE =
      Decision.deny(DenyReason.INVALID_TOKEN, "The token is not active (introspection)");

  /** What one call settled: an active entry, or a refusal. */
  private record Answer(IntrospectionCache.Active active, Decision.Deny refused) {}

  private final JwtConfig.Issuer issuer;
  private final IntrospectionConfig config;
  private final IntrospectionClient client;
  private final IntrospectionCache cache;
  private final Duration skew;
  private final Clock clock;
  private final ConcurrentHashMap<String, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong staleServed = new AtomicLong();
  private volatile String lastError = "";

  TokenIntrospection(JwtConfig.Issuer issuer, IntrospectionClient client, Duration skew, Clock clock) {
    this.issuer = issuer;
    this.config = issuer.introspection().orElseThrow();
    this.client = client;
    this.cache = new IntrospectionCache(config.cacheMaxEntries(), config.negativeCache(), clock);
    this.skew = skew;
    this.clock = clock;
  }

  /** The outcome for {@code token}, whose SHA-256 is {@code hash}; never completes exceptionally. */
  CompletionStage<IssuerPolicy.Outcome> introspect(String token, String hash) {
    IntrospectionCache.Active hit = cache.active(hash);
    if (hit != null && clock.instant().isBefore(hit.freshUntil())) {
      cacheHits.incrementAndGet();
      return CompletableFuture.completedFuture(accepted(hit));
    }
    Decision.Deny refused = hit == null ? cache.refused(hash) : null;
    if (refused != null) {
      cacheHits.incrementAndGet();
      return CompletableFuture.completedFuture(IssuerPolicy.Outcome.denied(refused));
    }
    CompletableFuture<Answer> mine = new CompletableFuture<>();
    CompletableFuture<Answer> call = inFlight.putIfAbsent(hash, mine);
    if (call == null) {
      call = mine;
      calls.incrementAndGet();
      CompletableFuture<Map<String, Object>> sent;
      try {
        sent = client.introspect(token);
      } catch (RuntimeException e) {
        // never leave a future in the map that nothing will complete
        sent = CompletableFuture.failedFuture(e);
      }
      sent.whenComplete((members, failure) -> {
        Answer answer = null;
        if (failure == null) {
          answer = judge(members);
          lastError = "";
          // cache before leaving the in-flight map, so that no later request can miss both
          if (answer.active() != null) {
            cache.putActive(hash, answer.active());
          } else {
            cache.putRefused(hash, answer.refused());
          }
        } else {
          failures.incrementAndGet();
          lastError = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        }
        inFlight.remove(hash, mine);
        if (answer != null) {
          mine.complete(answer);
        } else {
          mine.completeExceptionally(failure);
        }
      });
    }
    return call.handle((answer, failure) -> {
      if (failure == null) {
        return answer.active() != null ? accepted(answer.active()) : IssuerPolicy.Outcome.denied(answer.refused());
      }
      IntrospectionCache.Active stale = cache.active(hash);
      if (stale != null) {
        staleServed.incrementAndGet();
        return accepted(stale);
      }
      return IssuerPolicy.Outcome.denied(Decision.deny(DenyReason.UNAVAILABLE,
              "The introspection endpoint of issuer " + issuer.issuer() + " is unavailable: " + lastError)
          .withHeader("Retry-After", Long.toString(Math.max(1, (config.timeout().toMillis() + 999) / 1000))));
    });
  }

  private static IssuerPolicy.Outcome accepted(IntrospectionCache.Active entry) {
    return new IssuerPolicy.Outcome(entry.claims(), entry.expiresAt(), null, null, null); // never in the JWT cache
  }

  /** The checks a JWT of this issuer would pass, applied to the members of a well-formed answer. */
  private Answer judge(Map<String, Object> members) {
    if (!Boolean.TRUE.equals(members.get("active"))) {
      return new Answer(null, NOT_ACTIVE);
    }
    Instant now = clock.instant();
    long nowSeconds = now.getEpochSecond();
    Long exp = IssuerPolicy.seconds(members.get("exp"));
    Long nbf = IssuerPolicy.seconds(members.get("nbf"));
    if (members.get("exp") != null && exp == null || members.get("nbf") != null && nbf == null) {
      return refuse("The introspected token's exp or nbf is not a valid time");
    }
    if (exp != null && nowSeconds >= exp + skew.toSeconds()) {
      return refuse("The token has expired");
    }
    if (nbf != null && nbf > nowSeconds + skew.toSeconds()) {
      return refuse("The token is not valid yet (nbf)");
    }
    Object iss = members.get("iss");
    if (iss != null && !issuer.issuer().equals(iss)) {
      return refuse("The introspected token's issuer is not the one its endpoint belongs to");
    }
    Object type = members.get("token_type");
    if (type instanceof String && ((String) type).equalsIgnoreCase("refresh_token")) {
      return refuse("The token is a refresh token, not an access token");
    }
    if (!audienceAccepted(members.get("aud"))) {
      return refuse("The token's audience is not accepted");
    }
    Map<String, Object> claims = new LinkedHashMap<>(members);
    claims.values().removeIf(v -> v == null);
    claims.putIfAbsent("iss", issuer.issuer());
    Instant expiresAt = exp == null ? null : Instant.ofEpochSecond(exp);
    Instant freshUntil = earliest(now.plus(config.cacheMaxTtl()), expiresAt);
    Instant usableUntil = earliest(now.plus(config.cacheMaxTtl()).plus(config.maxStaleness()), expiresAt);
    return new Answer(new IntrospectionCache.Active(new Claims(claims), expiresAt, freshUntil, usableUntil), null);
  }

  private static Instant earliest(Instant a, Instant b) {
    return b == null || a.isBefore(b) ? a : b;
  }

  private boolean audienceAccepted(Object aud) {
    if (aud instanceof String) {
      return issuer.audiences().contains(aud);
    }
    if (aud instanceof Collection) {
      for (Object a : (Collection<?>) aud) {
        if (a instanceof String && issuer.audiences().contains(a)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Answer refuse(String detail) {
    return new Answer(null, Decision.deny(DenyReason.INVALID_TOKEN, detail));
  }

  /** The endpoint's state for readiness and metrics: degraded while its last call failed. */
  Health.Component health() {
    boolean failing = !lastError.isEmpty();
    return new Health.Component("introspection:" + issuer.issuer(),
        failing ? Health.Status.DEGRADED : Health.Status.UP, failing ? "failing" : "ok", Optional.empty(), lastError,
        Map.of("calls", calls.get(), "call-failures", failures.get(), "cache-hits", cacheHits.get(),
            "stale-served", staleServed.get(), "cache-size", cache.size()));
  }
}
