package io.apisec;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The claims of a verified token, as plain Java values (String, Number, Boolean, List, Map).
 *
 * <p>Immutable. {@link #toString()} shows claim names only, never values.
 */
public final class Claims {
  private final Map<String, Object> values;
  private Set<String> scopes;

  public Claims(Map<String, Object> values) {
    this.values = Map.copyOf(values);
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public Optional<Object> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** A claim as a string, when it is one. */
  public Optional<String> string(String name) {
    Object value = values.get(name);
    return value instanceof String ? Optional.of((String) value) : Optional.empty();
  }

  public Optional<String> subject() {
    return string("sub");
  }

  public Optional<String> issuer() {
    return string("iss");
  }

  /** The client the token was issued to: {@code client_id} (RFC 9068), else {@code azp}. */
  public Optional<String> clientId() {
    Optional<String> clientId = string("client_id");
    return clientId.isPresent() ? clientId : string("azp");
  }

  /** The granted scopes from {@code scope} (space-separated) or {@code scp} (array or string). */
  public Set<String> scopes() {
    Set<String> known = scopes;
    if (known == null) {
      known = parseScopes();
      scopes = known; // racy but safe: an immutable set, computed the same by every thread
    }
    return known;
  }

  private Set<String> parseScopes() {
    Object scope = values.containsKey("scope") ? values.get("scope") : values.get("scp");
    if (scope instanceof String) {
      String s = ((String) scope).trim();
      return s.isEmpty() ? Set.of() : Set.of(s.split(" +"));
    }
    if (scope instanceof Collection) {
      return ((Collection<?>) scope)
          .stream()
          .filter(String.class::isInstance)
          .map(String.class::cast)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
    return Set.of();
  }

  /** The audiences from {@code aud} (a string or an array). */
  public List<String> audiences() {
    Object aud = values.get("aud");
    if (aud instanceof String) {
      return List.of((String) aud);
    }
    if (aud instanceof Collection) {
      return ((Collection<?>) aud).stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Claims && values.equals(((Claims) o).values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "Claims" + values.keySet();
  }
}
