package io.apisec.config;

import io.apisec.ratelimit.BucketStoreProvider;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.RateLimiting;
import io.apisec.ratelimit.StoreSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code rate-limits} policies and the {@code store} section. A store type other than
 * {@code memory} is checked by its provider when one is on the class path. Stateless.
 */
final class RateLimitSections {
  private RateLimitSections() {}

  static void read(ConfigNode root, ApiSecurityConfig.Builder builder) {
    ConfigNode policies = root.get("rate-limits");
    if (policies != null) {
      if (!policies.isMap()) {
        throw policies.error("expected a mapping of policy names to policies");
      }
      for (String name : policies.keys()) {
        ConfigNode node = policies.get(name);
        builder.rateLimit(node.convert(() -> policy(name, node)));
      }
    }
    ConfigNode store = root.get("store");
    if (store != null) {
      builder.rateLimitStore(store(store));
    }
  }

  private static RateLimitPolicy policy(String name, ConfigNode node) {
    if (!node.isMap()) {
      throw node.error("expected a policy with key and limits");
    }
    RateLimitPolicy.Builder policy = RateLimitPolicy.builder(name);
    ConfigNode key = node.require("key");
    key.convert(() -> policy.key(key.strings().toArray(new String[0])));
    ConfigNode limits = node.require("limits");
    for (ConfigNode limit : limits.items()) {
      if (!limit.isMap()) {
        throw limit.error("expected a limit such as {capacity: 20, refill: 20/1s}");
      }
      ConfigNode capacity = limit.require("capacity");
      ConfigNode refill = limit.get("refill");
      ConfigNode interval = limit.get("interval");
      limit.rejectUnknownKeys();
      long tokens = capacity.longValue();
      String refillText = refill == null ? tokens + "/1s" : refill.text();
      boolean intervally = interval != null && interval.bool();
      (refill == null ? capacity : refill).convert(
          () -> policy.limit(RateLimitPolicy.Bandwidth.parse(tokens, refillText, intervally)));
    }
    ConfigNode missing = node.get("on-missing-key");
    if (missing != null) {
      policy.onMissingKey(RateLimitPolicy.OnMissingKey.valueOf(
          missing.oneOf("deny", "skip", "shared").toUpperCase(Locale.ROOT)));
    }
    ConfigNode headers = node.get("headers");
    if (headers != null) {
      policy.headers(RateLimitPolicy.HeaderStyle.valueOf(
          headers.oneOf("draft", "legacy", "both", "none").toUpperCase(Locale.ROOT)));
    }
    node.rejectUnknownKeys();
    return policy.build();
  }

  private static StoreSettings store(ConfigNode node) {
    if (!node.isMap()) {
      throw node.error("expected a mapping such as {type: redis, uri: redis://127.0.0.1:6379}");
    }
    ConfigNode type = node.get("type");
    String typeName = type == null ? "memory" : type.string();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (String key : node.keys()) {
      if (!key.equals("type")) {
        settings.put(key, node.get(key).toPlain());
      }
    }
    StoreSettings store = node.convert(() -> new StoreSettings(typeName, settings));
    if (!typeName.equals("memory")) {
      Optional<BucketStoreProvider> provider = RateLimiting.provider(typeName);
      if (provider.isEmpty()) {
        throw (type == null ? node : type).error(
            "no bucket store of type '" + typeName + "' on the class path (for redis, add apisec-redis)");
      }
      try {
        provider.get().validate(store.settings());
      } catch (IllegalArgumentException e) {
        throw at(node, e.getMessage());
      }
    }
    return store;
  }

  /** An error at the line of the key a provider named ({@code store.timeout: ...}), else of the section. */
  private static ConfigException at(ConfigNode store, String message) {
    int colon = message.indexOf(": ");
    if (message.startsWith("store.") && colon > 6) {
      String key = message.substring(6, colon);
      if (store.has(key)) {
        return store.get(key).error(message.substring(colon + 2));
      }
    }
    return store.error(message);
  }
}
