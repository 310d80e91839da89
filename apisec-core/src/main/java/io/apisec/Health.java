package io.apisec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the health of the components an {@link ApiSecurity} depends on (key sources,
 * limiter backends), for readiness probes and metrics. Immutable.
 *
 * @param components one entry per component, in a stable order
 */
public record Health(List<Component> components) {
  public Health {
    components = List.copyOf(components);
  }

  /** Whether every component can serve: none is {@link Status#DOWN}. */
  public boolean ready() {
    return components.stream().noneMatch(c -> c.status() == Status.DOWN);
  }

  /** The component with this name. */
  public Optional<Component> component(String name) {
    return components.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Whether a component can serve. */
  public enum Status {
    /** Working normally. */
    UP,
    /** Serving, but from a fallback (such as a stale key set); needs attention. */
    DEGRADED,
    /** Cannot serve: checks that depend on it fail closed. */
    DOWN
  }

  /**
   * One component.
   *
   * @param name such as {@code jwks:https://idp.example.com/}
   * @param status whether it can serve
   * @param state its own word for its state, such as {@code fresh}, {@code stale}, {@code failed}
   * @param age how old the data it serves is (such as a key set), when it has any
   * @param lastError the last failure, never holding a secret; empty when none
   * @param counters monotonic counters, such as fetches or signature verifications
   */
  public record Component(
      String name, Status status, String state, Optional<Duration> age, String lastError, Map<String, Long> counters) {
    public Component {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(age, "age");
      lastError = lastError == null ? "" : lastError;
      counters = Map.copyOf(counters);
    }
  }
}
