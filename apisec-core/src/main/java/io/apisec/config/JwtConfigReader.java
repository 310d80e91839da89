package io.apisec.config;

import io.apisec.jwt.KeySetSnapshotsProvider;
import io.apisec.jwt.TokenVerification;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code jwt:} section of a configuration file into a {@link JwtConfig}. */
final class JwtConfigReader {
  private JwtConfigReader() {}

  static JwtConfig read(ConfigNode node) {
    JwtConfig.Builder jwt = JwtConfig.builder();
    ConfigNode skew = node.get("clock-skew");
    if (skew != null) {
      skew.convert(() -> jwt.clockSkew(skew.duration()));
    }
    ConfigNode cache = node.get("cache");
    if (cache != null) {
      ConfigNode maxEntries = cache.get("max-entries");
      cache.rejectUnknownKeys();
      if (maxEntries != null) {
        maxEntries.convert(() -> jwt.cacheMaxEntries(maxEntries.intValue()));
      }
    }
    ConfigNode snapshots = node.get("key-snapshots");
    if (snapshots != null) {
      jwt.keySnapshots(keySnapshots(snapshots));
    }
    ConfigNode issuers = node.get("issuers");
    if (issuers != null) {
      for (ConfigNode issuer : issuers.items()) {
        JwtConfig.Issuer built = issuer(issuer);
        issuer.convert(() -> jwt.issuer(built));
      }
    }
    node.rejectUnknownKeys();
    return jwt.build();
  }

  private static JwtConfig.KeySnapshots keySnapshots(ConfigNode node) {
    if (!node.isMap()) {
      throw node.error("expected a mapping such as {type: file, directory: /var/lib/apisec/jwks}");
    }
    ConfigNode type = node.require("type");
    String typeName = type.string();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (String key : node.keys()) {
      if (!key.equals("type")) {
        settings.put(key, node.get(key).toPlain());
      }
    }
    JwtConfig.KeySnapshots snapshots;
    try {
      snapshots = new JwtConfig.KeySnapshots(typeName, settings);
    } catch (IllegalArgumentException e) {
      throw at(node, e.getMessage(), "key-snapshots.");
    }
    if (!typeName.equals("file")) {
      Optional<KeySetSnapshotsProvider> provider = TokenVerification.snapshotsProvider(typeName);
      if (provider.isEmpty()) {
        throw type.error("no key-set snapshot store of type '" + typeName
            + "' on the class path (file is built in; for redis, add apisec-redis)");
      }
      try {
        provider.get().validate(snapshots.settings());
      } catch (IllegalArgumentException e) {
        throw at(node, e.getMessage(), "store.");
      }
    }
    return snapshots;
  }

  /** An error at the line of the key a message names ({@code prefix.key: ...}), else of the section. */
  private static ConfigException at(ConfigNode section, String message, String prefix) {
    int colon = message.indexOf(": ");
    if (message.startsWith(prefix) && colon > prefix.length()) {
      String key = message.substring(prefix.length(), colon);
      if (section.has(key)) {
        return section.get(key).error(message.substring(colon + 2));
      }
    }
    return section.error(message);
  }

  private static JwtConfig.Issuer issuer(ConfigNode node) {
    ConfigNode name = node.require("issuer");
    JwtConfig.Issuer.Builder issuer = name.convert(() -> JwtConfig.Issuer.builder(name.string()));
    ConfigNode jwks = node.get("jwks-uri");
    if (jwks != null) {
      jwks.convert(() -> issuer.jwksUri(jwks.string()));
    }
    ConfigNode discovery = node.get("discovery");
    if (discovery != null) {
      discovery.convert(() -> issuer.discovery(discovery.string()));
    }
    ConfigNode audiences = node.get("audiences");
    if (audiences != null) {
      audiences.convert(() -> issuer.audiences(audiences.strings().toArray(new String[0])));
    }
    ConfigNode algorithms = node.get("algorithms");
    if (algorithms != null) {
      for (ConfigNode alg : algorithms.items()) {
        alg.convert(() -> issuer.algorithms(alg.text()));
      }
    }
    ConfigNode typ = node.get("typ");
    if (typ != null) {
      issuer.type(typ.string());
    }
    ConfigNode secret = node.get("secret");
    if (secret != null) {
      issuer.secret(secret.string());
    }
    ConfigNode maxSize = node.get("max-token-size");
    if (maxSize != null) {
      maxSize.convert(() -> issuer.maxTokenSize(maxSize.size()));
    }
    ConfigNode maxLifetime = node.get("max-lifetime");
    if (maxLifetime != null) {
      maxLifetime.convert(() -> issuer.maxLifetime(maxLifetime.duration()));
    }
    ConfigNode refresh = node.get("refresh");
    if (refresh != null) {
      JwtConfig.Refresh d = JwtConfig.Refresh.DEFAULTS;
      ConfigNode min = refresh.get("min-interval");
      ConfigNode max = refresh.get("max-interval");
      ConfigNode stale = refresh.get("max-staleness");
      ConfigNode timeout = refresh.get("timeout");
      ConfigNode unknown = refresh.get("unknown-key-ttl");
      refresh.rejectUnknownKeys();
      issuer.refresh(refresh.convert(() -> new JwtConfig.Refresh(
          min == null ? d.minInterval() : min.duration(),
          max == null ? d.maxInterval() : max.duration(),
          stale == null ? d.maxStaleness() : stale.duration(),
          timeout == null ? d.timeout() : timeout.duration(),
          unknown == null ? d.unknownKeyTtl() : unknown.duration())));
    }
    node.rejectUnknownKeys();
    return node.convert(issuer::build);
  }
}
