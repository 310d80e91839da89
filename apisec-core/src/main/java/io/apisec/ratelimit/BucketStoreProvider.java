package io.apisec.ratelimit;

import java.time.Clock;
import java.util.Map;

/**
 * Creates a {@link BucketStore} of one {@code store.type} from configuration; found through
 * {@link java.util.ServiceLoader}, so the core never depends on a store's client library.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface BucketStoreProvider {
  /** The {@code store.type} this provider serves, such as {@code redis}. */
  String type();

  /**
   * Checks the settings (everything under {@code store} but {@code type}) without connecting;
   * throws IllegalArgumentException naming the key ({@code store.timeout: ...}).
   */
  void validate(Map<String, Object> settings);

  /** Creates the store; it may connect lazily, and must not fail because its backend is down. */
  BucketStore create(Map<String, Object> settings, Clock clock);
}
