package io.apisec.standalone;

import io.apisec.ApiSecurity;
import io.apisec.Health;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the pipeline says about its own components (key sets loaded and fresh, limiter reachable),
 * for {@code /readyz} and the metrics. Stateless.
 */
final class PipelineHealth {
  private PipelineHealth() {}

  /** Adds each component's state to {@code checks}; returns whether all of them can serve. */
  static boolean describe(ApiSecurity security, Map<String, Object> checks) {
    Health health = security.health();
    for (Health.Component component : health.components()) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("status", component.status().name().toLowerCase(Locale.ROOT));
      state.put("state", component.state());
      component.age().ifPresent(age -> state.put("ageSeconds", age.toSeconds()));
      if (!component.lastError().isEmpty()) {
        state.put("lastError", component.lastError());
      }
      checks.put(component.name(), state);
    }
    return health.ready();
  }

  /** Prometheus lines: each component's status, data age and counters. */
  static String metrics(ApiSecurity security) {
    StringBuilder out = new StringBuilder();
    Health health;
    try {
      health = security.health();
    } catch (RuntimeException e) {
      return "";
    }
    out.append("# HELP apisec_component_up Whether a pipeline component can serve (1 up, 0.5 degraded, 0 down).\n");
    out.append("# TYPE apisec_component_up gauge\n");
    for (Health.Component c : health.components()) {
      double up = c.status() == Health.Status.UP ? 1 : c.status() == Health.Status.DEGRADED ? 0.5 : 0;
      out.append("apisec_component_up{").append(Metrics.labels("component", c.name())).append("} ").append(up).append('\n');
    }
    out.append("# HELP apisec_component_age_seconds Age of the data a component serves, such as a JWKS key set.\n");
    out.append("# TYPE apisec_component_age_seconds gauge\n");
    for (Health.Component c : health.components()) {
      c.age().ifPresent(age -> out.append("apisec_component_age_seconds{")
          .append(Metrics.labels("component", c.name())).append("} ").append(age.toMillis() / 1000.0).append('\n'));
    }
    out.append("# HELP apisec_component_events_total Counters a component keeps, such as JWKS fetches and errors.\n");
    out.append("# TYPE apisec_component_events_total counter\n");
    for (Health.Component c : health.components()) {
      c.counters().forEach((name, value) -> out.append("apisec_component_events_total{")
          .append(Metrics.labels("component", c.name(), "event", name)).append("} ").append(value).append('\n'));
    }
    return out.toString();
  }
}
