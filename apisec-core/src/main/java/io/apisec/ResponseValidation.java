package io.apisec;

import java.util.Locale;

/**
 * Whether a route's responses are checked against the OpenAPI contract before they reach the
 * client: not at all, reported only (the response passes unchanged, the violation is audited), or
 * enforced (a violating response is replaced by a {@code 502} problem document). Immutable.
 */
public enum ResponseValidation {
  OFF,
  REPORT_ONLY,
  ENFORCE;

  /** The name in configuration files: {@code off}, {@code report-only}, {@code enforce}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The mode a configuration name stands for, or null when it names none. */
  public static ResponseValidation fromConfigName(String name) {
    for (ResponseValidation mode : values()) {
      if (mode.configName().equals(name)) {
        return mode;
      }
    }
    return null;
  }
}
