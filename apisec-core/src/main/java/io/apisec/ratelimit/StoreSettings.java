package io.apisec.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the buckets of the rate-limit policies live: {@code store.type} and its other settings
 * as plain values (String, Number, Boolean, List, Map), read by the store's provider. Immutable.
 *
 * @param type {@code memory} (the default) or the type of a {@link BucketStoreProvider}, such as {@code redis}
 * @param settings every setting under {@code store} but {@code type}
 */
public record StoreSettings(String type, Map<String, Object> settings) {
  /** The default: buckets in this process, at most 100,000 of them. */
  public static final StoreSettings MEMORY = new StoreSettings("memory", Map.of());

  static final long DEFAULT_MAX_ENTRIES = 100_000;

  public StoreSettings {
    Objects.requireNonNull(type, "store.type");
    if (type.isBlank()) {
      throw new IllegalArgumentException("store.type must not be empty");
    }
    settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    if (type.equals("memory")) {
      for (String key : settings.keySet()) {
        if (!key.equals("max-entries")) {
          throw new IllegalArgumentException("store." + key + ": unknown setting for the memory store; known: max-entries");
        }
      }
      maxEntries(settings);
    }
  }

  /** The memory store's bound on buckets. */
  long maxEntries() {
    return maxEntries(settings);
  }

  private static long maxEntries(Map<String, Object> settings) {
    Object value = settings.get("max-entries");
    if (value == null) {
      return DEFAULT_MAX_ENTRIES;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0) {
      throw new IllegalArgumentException("store.max-entries must be a positive whole number: " + value);
    }
    return ((Number) value).longValue();
  }
}
