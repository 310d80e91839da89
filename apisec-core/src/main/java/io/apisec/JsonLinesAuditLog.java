package io.apisec;

import io.apisec.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes each decision as one JSON object on one line. Thread-safe when the sink is.
 *
 * <p>The default sink is the {@code System.Logger} named {@code io.apisec.audit} at INFO, which
 * a host application routes to its own logging.
 */
public final class JsonLinesAuditLog implements DecisionListener {
  private static final System.Logger LOGGER = System.getLogger("io.apisec.audit");

  private final Consumer<String> sink;

  private JsonLinesAuditLog(Consumer<String> sink) {
    this.sink = sink;
  }

  /** A log writing each line to {@code sink}, such as {@code System.out::println}. */
  public static JsonLinesAuditLog to(Consumer<String> sink) {
    return new JsonLinesAuditLog(Objects.requireNonNull(sink, "sink"));
  }

  /** A log writing to the {@code io.apisec.audit} System.Logger. */
  public static JsonLinesAuditLog toSystemLogger() {
    return new JsonLinesAuditLog(line -> LOGGER.log(System.Logger.Level.INFO, line));
  }

  @Override
  public void onDecision(AuditEvent event) {
    sink.accept(toJson(event));
  }

  /** A response violation is one more line, with stage {@code response} and reason {@code invalid-response}. */
  @Override
  public void onResponseViolation(AuditEvent event) {
    sink.accept(toJson(event));
  }

  /** The event as one line of JSON. */
  public static String toJson(AuditEvent e) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", e.time().toString());
    line.put("requestId", e.requestId());
    line.put("method", e.method());
    line.put("path", e.path());
    line.put("route", e.route());
    line.put("outcome", e.outcome());
    line.put("status", e.status());
    if (!e.reason().isEmpty()) {
      line.put("reason", e.reason());
      line.put("stage", e.stage());
      line.put("detail", e.detail());
    }
    line.put("subject", e.subject());
    line.put("certificateThumbprint", e.certificateThumbprint());
    line.put("clientIp", e.clientIp());
    line.put("latencyMicros", e.latencyNanos() / 1000);
    if (!e.shadowDenials().isEmpty()) {
      line.put("shadowDenials", e.shadowDenials());
    }
    if (!e.headers().isEmpty()) {
      line.put("headers", e.headers());
    }
    if (!e.notes().isEmpty()) {
      line.put("notes", e.notes());
    }
    return Json.write(line);
  }
}
