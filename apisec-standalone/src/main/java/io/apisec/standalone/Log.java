package io.apisec.standalone;

import io.apisec.internal.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The gateway's structured log: one JSON object per line on standard error, for the gateway's own
 * events, the audit trail, and what libraries log through java.util.logging (Vert.x, Netty, the
 * core's System.Logger). Thread-safe: each line is written with one call.
 */
final class Log {
  private static final PrintStream OUT = System.err;

  private Log() {}

  /** Routes java.util.logging (and so System.Logger) into JSON lines. */
  static void install() {
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    root.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (!isLoggable(record)) {
          return;
        }
        String message = record.getMessage();
        if (record.getParameters() != null && message != null && message.contains("{0")) {
          message = java.text.MessageFormat.format(message, record.getParameters());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        if (record.getThrown() != null) {
          // the class and message only: a stack trace in a log line is noise for an operator
          fields.put("error", record.getThrown().getClass().getName() + ": " + record.getThrown().getMessage());
        }
        write(level(record.getLevel()), record.getLoggerName(), message == null ? "" : message, fields);
      }

      @Override
      public void flush() {
        OUT.flush();
      }

      @Override
      public void close() {}
    });
    root.setLevel(Level.INFO);
  }

  static void info(String message, Object... fields) {
    write("info", "gateway", message, map(fields));
  }

  static void warn(String message, Object... fields) {
    write("warn", "gateway", message, map(fields));
  }

  static void error(String message, Object... fields) {
    write("error", "gateway", message, map(fields));
  }

  /** An audit line the core wrote (already JSON): tagged and written as it is. */
  static void audit(String json) {
    OUT.println("{\"log\":\"audit\"," + json.substring(1));
  }

  private static Map<String, Object> map(Object... fields) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < fields.length; i += 2) {
      map.put(String.valueOf(fields[i]), fields[i + 1]);
    }
    return map;
  }

  private static void write(String level, String logger, String message, Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", Instant.now().toString());
    line.put("level", level);
    line.put("logger", logger);
    line.put("message", message);
    line.putAll(fields);
    OUT.println(Json.write(line));
  }

  private static String level(Level level) {
    if (level.intValue() >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (level.intValue() >= Level.WARNING.intValue()) {
      return "warn";
    }
    return level.intValue() >= Level.INFO.intValue() ? "info" : "debug";
  }
}
