package io.apisec.standalone;

import io.apisec.AuditEvent;
import io.apisec.DecisionListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The gateway's metrics in the Prometheus text format (version 0.0.4): counters, gauges and
 * cumulative histograms with labels. Fed by decisions (as a {@link DecisionListener}) and by the
 * proxy. Thread-safe and lock-free on the recording path; a scrape reads a consistent-enough view.
 */
final class Metrics implements DecisionListener {
  private static final double[] LATENCY_BUCKETS = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final Map<String, Family> families = new ConcurrentHashMap<>();
  private final Map<String, Supplier<Map<String, Double>>> gauges = new ConcurrentHashMap<>();
  private final Map<DecisionLabels, String> decisionLabels = new ConcurrentHashMap<>();
  private final Map<String, String> outcomeLabels = new ConcurrentHashMap<>();

  @Override
  public void onDecision(AuditEvent event) {
    counter("apisec_requests_total", "Requests the pipeline decided on.").inc("");
    DecisionLabels key = new DecisionLabels(event.outcome(), event.route(), event.stage(), event.reason(), event.status());
    counter("apisec_decisions_total", "Decisions by outcome, route, stage and reason.").inc(key.text(decisionLabels));
    histogram("apisec_decision_duration_seconds", "Time the pipeline took per request.")
        .observe(outcomeLabels.computeIfAbsent(event.outcome(), o -> labels("outcome", o)), event.latencyNanos() / 1e9);
  }

  /**
   * The labels of one kind of decision. Their texts are kept, since every request would otherwise
   * build the same strings again; routes, stages, reasons and statuses are few, and past {@link
   * #KEPT} kinds a text is built each time instead.
   */
  private record DecisionLabels(String outcome, String route, String stage, String reason, int status) {
    static final int KEPT = 4096;

    String text(Map<DecisionLabels, String> kept) {
      String known = kept.get(this);
      if (known != null) {
        return known;
      }
      String built = labels("outcome", outcome, "route", route, "stage", stage, "reason", reason,
          "status", Integer.toString(status));
      if (kept.size() < KEPT) {
        kept.putIfAbsent(this, built);
      }
      return built;
    }
  }

  void upstreamResponse(int status, long nanos) {
    counter("apisec_upstream_responses_total", "Upstream answers by status class.")
        .inc(labels("code", (status / 100) + "xx"));
    histogram("apisec_upstream_duration_seconds", "Time until the upstream's response headers arrived.")
        .observe("", nanos / 1e9);
  }

  void upstreamError(String kind) {
    counter("apisec_upstream_errors_total", "Requests the upstream could not answer (unavailable, timeout).")
        .inc(labels("kind", kind));
  }

  void connectionRefused(String reason) {
    counter("apisec_connections_refused_total", "Client connections closed by the gateway's protection.")
        .inc(labels("reason", reason));
  }

  void reload(String result) {
    counter("apisec_config_reloads_total", "Configuration reloads by result.").inc(labels("result", result));
  }

  /** Registers a gauge family whose labelled values are read at scrape time. */
  void gauge(String name, String help, Supplier<Map<String, Double>> values) {
    gauges.put(name + "\n" + help, values);
  }

  long count(String name, String labels) {
    Family family = families.get(name);
    if (family == null || family.counts.get(labels) == null) {
      return 0;
    }
    return family.counts.get(labels).sum();
  }

  private Family counter(String name, String help) {
    return families.computeIfAbsent(name, n -> new Family(n, help, false));
  }

  private Family histogram(String name, String help) {
    return families.computeIfAbsent(name, n -> new Family(n, help, true));
  }

  static String labels(String... namesAndValues) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(namesAndValues[i]).append("=\"").append(escape(namesAndValues[i + 1])).append('"');
    }
    return out.toString();
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** The whole registry in the Prometheus text format. */
  String scrape() {
    StringBuilder out = new StringBuilder(4096);
    for (Family family : new TreeMap<>(families).values()) {
      family.write(out);
    }
    for (Map.Entry<String, Supplier<Map<String, Double>>> gauge : new TreeMap<>(gauges).entrySet()) {
      String[] nameAndHelp = gauge.getKey().split("\n", 2);
      out.append("# HELP ").append(nameAndHelp[0]).append(' ').append(nameAndHelp[1]).append('\n');
      out.append("# TYPE ").append(nameAndHelp[0]).append(" gauge\n");
      Map<String, Double> values;
      try {
        values = gauge.getValue().get();
      } catch (RuntimeException e) {
        continue;
      }
      for (Map.Entry<String, Double> value : new TreeMap<>(values).entrySet()) {
        out.append(nameAndHelp[0]);
        if (!value.getKey().isEmpty()) {
          out.append('{').append(value.getKey()).append('}');
        }
        out.append(' ').append(number(value.getValue())).append('\n');
      }
    }
    return out.toString();
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  /** One metric name: counters per label set, or histograms per label set. */
  private static final class Family {
    final String name;
    final String help;
    final boolean histogram;
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    final Map<String, Histogram> histograms = new ConcurrentHashMap<>();

    Family(String name, String help, boolean histogram) {
      this.name = name;
      this.help = help;
      this.histogram = histogram;
    }

    void inc(String labels) {
      counts.computeIfAbsent(labels, l -> new LongAdder()).increment();
    }

    void observe(String labels, double seconds) {
      histograms.computeIfAbsent(labels, l -> new Histogram()).observe(seconds);
    }

    void write(StringBuilder out) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(histogram ? " histogram\n" : " counter\n");
      if (!histogram) {
        for (Map.Entry<String, LongAdder> count : new TreeMap<>(counts).entrySet()) {
          out.append(name);
          if (!count.getKey().isEmpty()) {
            out.append('{').append(count.getKey()).append('}');
          }
          out.append(' ').append(count.getValue().sum()).append('\n');
        }
        return;
      }
      for (Map.Entry<String, Histogram> h : new TreeMap<>(histograms).entrySet()) {
        h.getValue().write(out, name, h.getKey());
      }
    }
  }

  private static final class Histogram {
    final LongAdder[] buckets = new LongAdder[LATENCY_BUCKETS.length];
    final LongAdder count = new LongAdder();
    final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void observe(double value) {
      for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
        if (value <= LATENCY_BUCKETS[i]) {
          buckets[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(value);
    }

    void write(StringBuilder out, String name, String labels) {
      String prefix = labels.isEmpty() ? "" : labels + ",";
      long cumulative = 0;
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += buckets[i].sum();
        lines.add(name + "_bucket{" + prefix + "le=\"" + LATENCY_BUCKETS[i] + "\"} " + cumulative);
      }
      long total = count.sum();
      lines.add(name + "_bucket{" + prefix + "le=\"+Inf\"} " + Math.max(total, cumulative));
      lines.forEach(line -> out.append(line).append('\n'));
      String suffix = labels.isEmpty() ? "" : "{" + labels + "}";
      out.append(name).append("_sum").append(suffix).append(' ').append(sum.sum()).append('\n');
      out.append(name).append("_count").append(suffix).append(' ').append(total).append('\n');
    }
  }
}
