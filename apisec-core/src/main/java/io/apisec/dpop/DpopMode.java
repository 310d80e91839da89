package io.apisec.dpop;

/**
 * Whether a route or an issuer takes DPoP-bound access tokens (RFC 9449). Wherever a token is
 * bound to a key ({@code cnf.jkt}), it is refused as a plain bearer token, whatever the mode.
 */
public enum DpopMode {
  /** The {@code DPoP} scheme is refused: bearer tokens only (a bound token cannot be used). */
  DISABLED("disabled"),
  /** Bearer tokens and DPoP-bound tokens with their proofs are both accepted. */
  ALLOWED("allowed"),
  /** Only DPoP-bound tokens, sent with the {@code DPoP} scheme and a valid proof. */
  REQUIRED("required");

  private final String configName;

  DpopMode(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration files. */
  public String configName() {
    return configName;
  }

  /** Parses a configuration name; {@code null} when unknown. */
  public static DpopMode fromConfigName(String name) {
    for (DpopMode mode : values()) {
      if (mode.configName.equals(name)) {
        return mode;
      }
    }
    return null;
  }

  /** The stricter of two modes: required over disabled over allowed; {@code null} stands for no say. */
  static DpopMode stricter(DpopMode a, DpopMode b) {
    if (a == null) {
      return b;
    }
    if (b == null || a == REQUIRED || a == b) {
      return a;
    }
    return b == REQUIRED || b == DISABLED ? b : a;
  }
}
