package io.apisec.config;

import io.apisec.dpop.DpopMode;

/** Reads the {@code dpop:} section and the routes' {@code dpop:} key. Stateless. */
final class DpopConfigReader {
  private DpopConfigReader() {}

  static DpopConfig read(ConfigNode node) {
    if (!node.isMap()) {
      throw node.error("expected a mapping with mode, issuers, algorithms, proof-max-age, public-base-url");
    }
    DpopConfig.Builder dpop = DpopConfig.builder();
    ConfigNode mode = node.get("mode");
    if (mode != null) {
      dpop.mode(mode(mode));
    }
    ConfigNode issuers = node.get("issuers");
    if (issuers != null) {
      if (!issuers.isMap()) {
        throw issuers.error("expected a mapping of issuer (iss) to disabled, allowed or required");
      }
      for (String issuer : issuers.keys()) {
        ConfigNode value = issuers.get(issuer);
        DpopMode issuerMode = mode(value);
        value.convert(() -> dpop.issuer(issuer, issuerMode));
      }
    }
    ConfigNode algorithms = node.get("algorithms");
    if (algorithms != null) {
      algorithms.convert(() -> dpop.algorithms(algorithms.strings().toArray(new String[0])));
    }
    ConfigNode maxAge = node.get("proof-max-age");
    if (maxAge != null) {
      maxAge.convert(() -> dpop.proofMaxAge(maxAge.duration()));
    }
    ConfigNode baseUrl = node.get("public-base-url");
    if (baseUrl != null) {
      baseUrl.convert(() -> dpop.publicBaseUrl(baseUrl.string()));
    }
    ConfigNode maxEntries = node.get("replay-cache-max-entries");
    if (maxEntries != null) {
      maxEntries.convert(() -> dpop.replayCacheMaxEntries(maxEntries.longValue()));
    }
    node.rejectUnknownKeys();
    return node.convert(dpop::build);
  }

  /** A mode value: disabled, allowed or required. */
  static DpopMode mode(ConfigNode node) {
    return DpopMode.fromConfigName(node.oneOf("disabled", "allowed", "required"));
  }
}
