package io.apisec.config;

import io.apisec.Route;
import java.time.Duration;
import java.util.List;

/** The start-up checks of the JWT settings: risky choices need {@code allow-risky}, mistakes fail. */
final class JwtLint {
  private static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private JwtLint() {}

  static void check(ApiSecurityConfig config) {
    JwtConfig jwt = config.jwt();
    List<Route> routes = config.routes();
    for (int i = 0; i < routes.size(); i++) {
      if (routes.get(i).auth().requiresToken() && jwt.issuers().isEmpty()) {
        throw new ConfigException("routes[" + i + "].auth",
            "auth '" + routes.get(i).auth().configName() + "' needs at least one issuer under jwt.issuers");
      }
    }
    if (jwt.clockSkew().compareTo(MAX_SKEW) > 0) {
      StartupLint.refuse(config, "clock-skew", "jwt.clock-skew",
          jwt.clockSkew().toSeconds() + "s of clock skew keeps expired tokens valid that long (more than 5m)");
    }
    for (int i = 0; i < jwt.issuers().size(); i++) {
      JwtConfig.Issuer issuer = jwt.issuers().get(i);
      String key = "jwt.issuers[" + i + "]";
      if (issuer.algorithms().isEmpty() && issuer.hasJwks()) {
        StartupLint.refuse(config, "no-algorithms", key,
            "issuer " + issuer.issuer() + " has no algorithms list, so it accepts every asymmetric algorithm its keys allow");
      }
      issuer.introspection().ifPresent(in -> IntrospectionLint.check(config, in, key + ".introspection"));
      if (issuer.hasJwks() && issuer.algorithms().stream().anyMatch(a -> a.startsWith("HS"))) {
        StartupLint.refuse(config, "hs-with-jwks", key + ".algorithms",
            "issuer " + issuer.issuer() + " accepts HS* with a shared secret as well as keys from a JWKS;"
                + " anyone holding the secret can mint its tokens");
      }
    }
  }
}
