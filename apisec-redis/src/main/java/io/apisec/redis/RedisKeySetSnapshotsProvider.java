package io.apisec.redis;

import io.apisec.jwt.KeySetSnapshots;
import io.apisec.jwt.KeySetSnapshotsProvider;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code jwt.key-snapshots: {type: redis, ...}} through {@link java.util.ServiceLoader},
 * with the same connection settings as the rate-limit store. Stateless and thread-safe.
 */
public final class RedisKeySetSnapshotsProvider implements KeySetSnapshotsProvider {
  @Override
  public String type() {
    return "redis";
  }

  private static final Set<String> KNOWN = Set.of("uri", "cluster", "timeout", "heartbeat", "key-prefix", "tls-ca-file");

  @Override
  public void validate(Map<String, Object> settings) {
    for (String key : settings.keySet()) {
      if (!KNOWN.contains(key)) {
        // the rate-limit store's own settings (on-failure, optimization...) mean nothing here
        throw new IllegalArgumentException("store." + key + ": unknown setting for redis key-set snapshots; known: "
            + "uri, cluster, timeout, heartbeat, key-prefix, tls-ca-file");
      }
    }
    RedisSettings.fromMap(settings);
  }

  @Override
  public KeySetSnapshots create(Map<String, Object> settings, Clock clock) {
    validate(settings);
    return RedisKeySetSnapshots.create(RedisSettings.fromMap(settings));
  }
}
