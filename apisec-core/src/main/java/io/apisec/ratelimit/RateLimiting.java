package io.apisec.ratelimit;

import io.apisec.Health;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The rate limiting of one {@link io.apisec.ApiSecurity}: its bucket store and the stages that
 * apply a route's policies — those keyed only by client IP, route or headers before the
 * certificate and token checks (cheap refusals first), the ones keyed by verified identity after
 * them.
 *
 * <p>Thread-safe once created. The store is created only when some route uses a policy;
 * {@link #close()} closes a store this instance created, never one it was given.
 */
public final class RateLimiting implements AutoCloseable {
  private final ApiSecurityConfig config;
  private final BucketStore store;
  private final boolean ownsStore;

  private RateLimiting(ApiSecurityConfig config, BucketStore store, boolean ownsStore) {
    this.config = config;
    this.store = store;
    this.ownsStore = ownsStore;
  }

  /**
   * Rate limiting for {@code config}; {@code given} (may be null) replaces the configured store.
   * Throws ConfigException when the configured store type has no provider on the class path.
   */
  public static RateLimiting create(ApiSecurityConfig config, BucketStore given, Clock clock) {
    boolean used = config.routes().stream().anyMatch(r -> !r.rateLimits().isEmpty());
    if (given != null) {
      return new RateLimiting(config, given, false);
    }
    if (!used) {
      return new RateLimiting(config, null, false);
    }
    return new RateLimiting(config, createStore(config.rateLimitStore(), clock), true);
  }

  /** The store of the configured type: the memory store, or one found through ServiceLoader. */
  public static BucketStore createStore(StoreSettings settings, Clock clock) {
    if (settings.type().equals("memory")) {
      return BucketStore.inMemory(clock, settings.maxEntries());
    }
    BucketStoreProvider provider = provider(settings.type()).orElseThrow(() -> new ConfigException("store.type",
        "no bucket store of type '" + settings.type() + "' on the class path (for redis, add apisec-redis)"));
    return provider.create(settings.settings(), clock);
  }

  /** The provider of a store type, found through {@link ServiceLoader}. */
  public static Optional<BucketStoreProvider> provider(String type) {
    for (BucketStoreProvider provider : ServiceLoader.load(BucketStoreProvider.class)) {
      if (provider.type().equals(type)) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }

  /** The stage of the route's policies keyed only by what is known before authentication. */
  public Optional<Stage> beforeAuthentication(Route route) {
    return stage(route, true);
  }

  /** The stage of the route's policies keyed by verified identity (token, certificate). */
  public Optional<Stage> afterAuthentication(Route route) {
    return stage(route, false);
  }

  private Optional<Stage> stage(Route route, boolean preAuth) {
    List<RateLimitPolicy> selected = new ArrayList<>();
    for (String name : route.rateLimits()) {
      RateLimitPolicy policy = config.rateLimits().get(name);
      if (policy == null) {
        throw new ConfigException("routes." + route.name() + ".rate-limit", "unknown rate-limit policy '" + name + "'");
      }
      if (policy.preAuth() == preAuth) {
        selected.add(policy);
      }
    }
    return selected.isEmpty() ? Optional.empty() : Optional.of(new RateLimitStage(selected, store));
  }

  /** The health of the bucket store, when it has any to report. */
  public List<Health.Component> health() {
    return store == null ? List.of() : store.health().map(List::of).orElse(List.of());
  }

  @Override
  public void close() {
    if (ownsStore && store != null) {
      store.close();
    }
  }
}
