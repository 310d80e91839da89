package io.apisec;

/** How a route authenticates its callers. */
public enum AuthMode {
  /** No authentication: a public route. */
  NONE("none"),
  /** A verified JWT bearer token. */
  JWT("jwt"),
  /** A verified client certificate. */
  MTLS("mtls"),
  /** Both a verified client certificate and a verified JWT. */
  JWT_AND_MTLS("jwt+mtls");

  private final String configName;

  AuthMode(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration files. */
  public String configName() {
    return configName;
  }

  public boolean requiresToken() {
    return this == JWT || this == JWT_AND_MTLS;
  }

  public boolean requiresCertificate() {
    return this == MTLS || this == JWT_AND_MTLS;
  }

  /** Parses a configuration name; {@code null} when unknown. */
  public static AuthMode fromConfigName(String name) {
    for (AuthMode mode : values()) {
      if (mode.configName.equals(name)) {
        return mode;
      }
    }
    return null;
  }
}
