package io.apisec;

import io.apisec.config.ApiSecurityConfig;
import io.apisec.schema.PayloadStages;
import io.apisec.schema.ResponseContract;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The response contracts of the routes that validate responses, compiled at start, and the
 * publishing of violations. A route's mode is its own {@code response-validation}, else the
 * configuration's default, which applies only to routes with an OpenAPI operation; a route that
 * asks for validation itself without one fails at start. Thread-safe after construction.
 */
final class ResponseChecks {
  private record Entry(ResponseContract contract, boolean enforce) {}

  private final Map<Route, Entry> entries = new IdentityHashMap<>();
  private final long maxBody;
  private final Clock clock;
  private final List<DecisionListener> listeners;

  ResponseChecks(ApiSecurityConfig config, PayloadStages stages, Clock clock, List<DecisionListener> listeners) {
    this.maxBody = config.responseValidation().maxBody();
    this.clock = clock;
    this.listeners = listeners;
    ResponseValidation fallback = config.responseValidation().mode();
    for (Route route : config.routes()) {
      ResponseValidation mode = route.responseValidation()
          .orElse(route.operation().isPresent() ? fallback : ResponseValidation.OFF);
      if (mode != ResponseValidation.OFF) {
        entries.put(route, new Entry(stages.responseContract(route), mode == ResponseValidation.ENFORCE));
      }
    }
  }

  Optional<ResponseCheck> forRoute(Route route, String method, String path, String requestId, Identity identity) {
    Entry entry = entries.get(route);
    if (entry == null) {
      return Optional.empty();
    }
    return Optional.of(new ResponseCheck(this, entry.contract(), entry.enforce(), method, path, route.name(),
        requestId == null ? "" : requestId, identity == null ? Identity.ANONYMOUS : identity));
  }

  /** Whether no route validates responses. */
  boolean isEmpty() {
    return entries.isEmpty();
  }

  long maxBody() {
    return maxBody;
  }

  Clock clock() {
    return clock;
  }

  void publish(AuditEvent event) {
    for (DecisionListener listener : listeners) {
      try {
        listener.onResponseViolation(event);
      } catch (RuntimeException ignored) {
        // a listener must never change or break a verdict
      }
    }
  }
}
