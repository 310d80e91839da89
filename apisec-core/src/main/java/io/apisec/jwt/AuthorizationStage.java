package io.apisec.jwt;

import io.apisec.Attributes;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Stage;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks a route's required scopes ({@code scope} string or {@code scp} array) and claim values
 * against the verified token claims: {@code 403 insufficient_scope} or {@code 403 forbidden}.
 * Immutable and thread-safe; synchronous.
 */
final class AuthorizationStage implements Stage {
  private final Set<String> scopes;
  private final Map<String, List<String>> requiredClaims;

  AuthorizationStage(Set<String> scopes, Map<String, List<String>> requiredClaims) {
    this.scopes = Set.copyOf(scopes);
    this.requiredClaims = Map.copyOf(requiredClaims);
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    Claims claims = chain.attributes().getOrNull(Attributes.CLAIMS);
    if (claims == null) {
      return deny(DenyReason.INSUFFICIENT_SCOPE, "The request carries no verified token to authorize");
    }
    if (!scopes.isEmpty()) {
      Set<String> granted = claims.scopes();
      if (!granted.containsAll(scopes)) {
        Set<String> missing = new TreeSet<>(scopes);
        missing.removeAll(granted);
        return deny(DenyReason.INSUFFICIENT_SCOPE, "The token lacks the scope(s) " + String.join(" ", missing));
      }
    }
    for (Map.Entry<String, List<String>> required : requiredClaims.entrySet()) {
      if (!holds(claims.get(required.getKey()).orElse(null), required.getValue())) {
        // the claim's value is not echoed: it may be personal data
        return deny(DenyReason.FORBIDDEN, "The token's '" + required.getKey() + "' claim does not hold an accepted value");
      }
    }
    return chain.proceed();
  }

  private static boolean holds(Object value, List<String> accepted) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return accepted.contains(String.valueOf(value));
    }
    if (value instanceof Collection) {
      for (Object item : (Collection<?>) value) {
        if (!(item instanceof Collection) && holds(item, accepted)) {
          return true;
        }
      }
    }
    return false;
  }

  private static CompletionStage<Decision> deny(DenyReason reason, String detail) {
    return CompletableFuture.completedFuture(Decision.deny(reason, detail));
  }
}
