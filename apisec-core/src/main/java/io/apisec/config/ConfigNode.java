package io.apisec.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One value of a configuration file with its key path and line, so that every error names both.
 * A mapping remembers which keys were read; {@link #rejectUnknownKeys()} refuses the rest.
 *
 * <p>Public so that modules with their own sections (the standalone gateway) read them the same
 * way; not meant for applications. Not thread-safe.
 */
public final class ConfigNode {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?");

  enum Kind { MAP, LIST, SCALAR }

  private final String path;
  private final int line;
  private final Kind kind;
  private final Map<String, ConfigNode> fields;
  private final List<ConfigNode> items;
  private final Object scalar;
  private final Set<String> read = new LinkedHashSet<>();

  private ConfigNode(String path, int line, Kind kind, Map<String, ConfigNode> fields, List<ConfigNode> items, Object scalar) {
    this.path = path;
    this.line = line;
    this.kind = kind;
    this.fields = fields;
    this.items = items;
    this.scalar = scalar;
  }

  static ConfigNode map(String path, int line, LinkedHashMap<String, ConfigNode> fields) {
    return new ConfigNode(path, line, Kind.MAP, fields, null, null);
  }

  static ConfigNode list(String path, int line, List<ConfigNode> items) {
    return new ConfigNode(path, line, Kind.LIST, null, items, null);
  }

  static ConfigNode scalar(String path, int line, Object value) {
    return new ConfigNode(path, line, Kind.SCALAR, null, null, value);
  }

  /** The key path, such as {@code routes[1].max-body}. */
  public String path() {
    return path;
  }

  public int line() {
    return line;
  }

  /** An error about this value. */
  public ConfigException error(String problem) {
    return new ConfigException(path, line, problem);
  }

  public boolean isMap() {
    return kind == Kind.MAP;
  }

  public boolean isList() {
    return kind == Kind.LIST;
  }

  public boolean isScalar() {
    return kind == Kind.SCALAR;
  }

  private String describe() {
    if (kind == Kind.MAP) {
      return "a mapping";
    }
    if (kind == Kind.LIST) {
      return "a list";
    }
    return scalar == null ? "null" : "'" + scalar + "'";
  }

  private void expectMap() {
    if (kind != Kind.MAP) {
      throw error("expected a mapping, found " + describe());
    }
  }

  /** Whether this mapping has the key. */
  public boolean has(String key) {
    expectMap();
    return fields.containsKey(key);
  }

  /** The value under {@code key}, or null when absent; marks the key as known. */
  public ConfigNode get(String key) {
    expectMap();
    read.add(key);
    return fields.get(key);
  }

  /** The value under {@code key}; an error naming it when absent. */
  public ConfigNode require(String key) {
    ConfigNode node = get(key);
    if (node == null) {
      throw error("missing required key '" + key + "'");
    }
    return node;
  }

  /** The keys of this mapping in file order. */
  public Set<String> keys() {
    expectMap();
    return fields.keySet();
  }

  /** The items of a list; a single scalar reads as a one-item list. */
  public List<ConfigNode> items() {
    if (kind == Kind.LIST) {
      return items;
    }
    if (kind == Kind.SCALAR && scalar != null) {
      return List.of(this);
    }
    throw error("expected a list, found " + describe());
  }

  /** Refuses every key of this mapping that was never read, naming the first. */
  public void rejectUnknownKeys() {
    expectMap();
    for (Map.Entry<String, ConfigNode> field : fields.entrySet()) {
      if (!read.contains(field.getKey())) {
        throw field.getValue().error("unknown key '" + field.getKey() + "'" + suggestion(field.getKey()));
      }
    }
  }

  private String suggestion(String unknown) {
    String best = null;
    int bestDistance = 3;
    for (String known : read) {
      int d = distance(unknown, known);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private Object scalarValue() {
    if (kind != Kind.SCALAR || scalar == null) {
      throw error("expected a value, found " + describe());
    }
    return scalar;
  }

  public String string() {
    Object value = scalarValue();
    if (!(value instanceof String)) {
      throw error("expected a string, found " + describe());
    }
    return (String) value;
  }

  /** A scalar of any type as text (so that {@code 200} and {@code "200"} both read). */
  public String text() {
    return String.valueOf(scalarValue());
  }

  public boolean bool() {
    Object value = scalarValue();
    if (!(value instanceof Boolean)) {
      throw error("expected true or false, found " + describe());
    }
    return (Boolean) value;
  }

  public long longValue() {
    Object value = scalarValue();
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw error("expected a whole number, found " + describe());
  }

  public int intValue() {
    long value = longValue();
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw error("number out of range: " + value);
    }
    return (int) value;
  }

  /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}. */
  public Duration duration() {
    String text = text().trim();
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw error("expected a duration such as 30s, 5m, 250ms, 1h or 7d, found '" + text + "'");
    }
    long amount = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      default:
        return Duration.ofDays(amount);
    }
  }

  /** A size in bytes such as {@code 512B}, {@code 64KB}, {@code 1MB} (1 KB = 1024 bytes). */
  public long size() {
    String text = text().trim();
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw error("expected a size such as 512B, 64KB or 1MB, found '" + text + "'");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw error("size out of range: '" + text + "'");
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT).replace("I", "");
    long factor = switch (unit) {
      case "KB" -> 1024L;
      case "MB" -> 1024L * 1024;
      case "GB" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    if (amount > Long.MAX_VALUE / factor) {
      throw error("size out of range: '" + text + "'");
    }
    return amount * factor;
  }

  /** A list of strings (a single string reads as a one-item list). */
  public List<String> strings() {
    List<String> out = new ArrayList<>();
    for (ConfigNode item : items()) {
      out.add(item.text());
    }
    return out;
  }

  /** One of {@code allowed}, compared exactly. */
  public String oneOf(String... allowed) {
    String value = text();
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw error("expected one of " + String.join(", ", allowed) + ", found '" + value + "'");
  }

  /** Plain Java values (Map, List, String, Number, Boolean) of this subtree, for inline documents. */
  public Object toPlain() {
    switch (kind) {
      case MAP: {
        read.addAll(fields.keySet());
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((k, v) -> out.put(k, v.toPlain()));
        return out;
      }
      case LIST: {
        List<Object> out = new ArrayList<>();
        items.forEach(i -> out.add(i.toPlain()));
        return out;
      }
      default:
        return scalar;
    }
  }

  /** Runs {@code reading} and turns an IllegalArgumentException of a builder into an error here. */
  public <T> T convert(java.util.function.Supplier<T> reading) {
    try {
      return reading.get();
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "ConfigNode[" + path + " line " + line + ']';
  }
}
