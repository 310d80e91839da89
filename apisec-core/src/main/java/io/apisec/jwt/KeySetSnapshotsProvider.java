package io.apisec.jwt;

import java.time.Clock;
import java.util.Map;

/**
 * Creates {@link KeySetSnapshots} of one {@code jwt.key-snapshots.type} from configuration; found
 * through {@link java.util.ServiceLoader}, so the core never depends on a store's client library.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface KeySetSnapshotsProvider {
  /** The {@code type} this provider serves, such as {@code redis}. */
  String type();

  /**
   * Checks the settings (everything under {@code key-snapshots} but {@code type}) without
   * connecting; throws IllegalArgumentException naming the key ({@code store.uri: ...}).
   */
  void validate(Map<String, Object> settings);

  /** Creates the store; it may connect lazily, and must not fail because its backend is down. */
  KeySetSnapshots create(Map<String, Object> settings, Clock clock);
}
