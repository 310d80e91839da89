package io.apisec.config;

/**
 * A configuration that cannot be used: unknown key, wrong type, bad value or a risky setting.
 * The message names the key path and, for a file, the line.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final int line;

  public ConfigException(String key, int line, String problem) {
    super(format(key, line, problem));
    this.key = key;
    this.line = line;
  }

  public ConfigException(String key, String problem) {
    this(key, -1, problem);
  }

  private static String format(String key, int line, String problem) {
    StringBuilder s = new StringBuilder("Invalid configuration");
    if (key != null && !key.isEmpty()) {
      s.append(" at '").append(key).append('\'');
    }
    if (line > 0) {
      s.append(" (line ").append(line).append(')');
    }
    return s.append(": ").append(problem).toString();
  }

  /** The key path, such as {@code routes[2].max-body}. */
  public String key() {
    return key;
  }

  /** The line in the file, or -1 when the configuration did not come from a file. */
  public int line() {
    return line;
  }
}
