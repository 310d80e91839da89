package io.apisec.config;

/** The start-up checks of an issuer's introspection settings: risky choices need {@code allow-risky}. */
final class IntrospectionLint {
  private IntrospectionLint() {}

  static void check(ApiSecurityConfig config, IntrospectionConfig introspection, String key) {
    if (introspection.plainHttpOffLoopback()) {
      StartupLint.refuse(config, "introspection-plain-http", key + ".endpoint",
          "the introspection endpoint is plain http on a non-loopback host, so tokens and the client's"
              + " credentials cross the network in clear text");
    }
    if (introspection.clientSecretInline()) {
      StartupLint.refuse(config, "inline-client-secret", key + ".client-secret",
          "the client secret is written in the configuration; read it from client-secret-file instead");
    }
  }
}
