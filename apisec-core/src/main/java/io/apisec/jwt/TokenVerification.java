package io.apisec.jwt;

import io.apisec.Health;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ConfigException;
import io.apisec.config.JwtConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JWT machinery of one {@link io.apisec.ApiSecurity}: the issuers' key sources, the
 * verified-token cache, and the {@code jwt} and {@code authz} stages built on them. Used by
 * {@code ApiSecurity}; applications configure it through {@link JwtConfig} instead.
 *
 * <p>Thread-safe. {@link #start} begins fetching every issuer's keys in the background and returns
 * at once; {@link #close()} stops the background refresh and its threads.
 */
public final class TokenVerification implements AutoCloseable {
  private final Map<String, IssuerPolicy> issuers = new LinkedHashMap<>();
  private final List<JwksKeySource> keySources = new ArrayList<>();
  private final VerifiedTokenCache cache;
  private final JwtStage stage;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService httpExecutor;
  private final AtomicLong verifications = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AutoCloseable ownedSnapshots;

  private TokenVerification(JwtConfig config, Clock clock, RevocationList revocations, KeySetSnapshots given) {
    KeySetSnapshots snapshots = given;
    if (snapshots == null && config.keySnapshots().isPresent()) {
      snapshots = snapshots(config.keySnapshots().get(), clock);
    }
    // a store built here from configuration is closed here; one the application passed in is its own
    this.ownedSnapshots = given == null && snapshots instanceof AutoCloseable ? (AutoCloseable) snapshots : null;
    this.cache = new VerifiedTokenCache(config.cacheMaxEntries(), clock);
    boolean anyJwks = config.issuers().stream().anyMatch(JwtConfig.Issuer::hasJwks);
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("apisec-jwks-refresh"));
    timer.setRemoveOnCancelPolicy(true);
    this.scheduler = timer;
    this.httpExecutor = anyJwks ? Executors.newCachedThreadPool(daemon("apisec-jwks-http")) : null;
    HttpClient http = null;
    if (anyJwks) {
      Duration connect = config.issuers().stream().map(i -> i.refresh().timeout()).max(Duration::compareTo).orElseThrow();
      http = HttpClient.newBuilder()
          .connectTimeout(connect)
          .followRedirects(HttpClient.Redirect.NEVER)
          .executor(httpExecutor)
          .build();
    }
    for (JwtConfig.Issuer issuer : config.issuers()) {
      JwksKeySource jwks = null;
      if (issuer.hasJwks()) {
        jwks = new JwksKeySource(issuer, http, clock, scheduler, cache::invalidateVerifiedBy, snapshots);
        keySources.add(jwks);
      }
      issuers.put(issuer.issuer(), new IssuerPolicy(issuer, jwks, config.clockSkew(), clock, verifications));
    }
    this.stage = new JwtStage(issuers, cache, revocations, cacheHits);
  }

  /**
   * Builds the JWT machinery and starts fetching keys.
   *
   * @param revocations the {@code jti} deny list, or null for none
   */
  public static TokenVerification start(JwtConfig config, Clock clock, RevocationList revocations) {
    return start(config, clock, revocations, null);
  }

  /**
   * Builds the JWT machinery and starts restoring and fetching keys.
   *
   * @param revocations the {@code jti} deny list, or null for none
   * @param snapshots where key sets are persisted, or null for what {@code config.keySnapshots()} says
   */
  public static TokenVerification start(JwtConfig config, Clock clock, RevocationList revocations,
      KeySetSnapshots snapshots) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    TokenVerification verification = new TokenVerification(config, clock, revocations, snapshots);
    verification.keySources.forEach(JwksKeySource::start);
    return verification;
  }

  /** The stage that verifies bearer tokens (shared by every route). */
  public Stage tokenStage() {
    return stage;
  }

  /** The stage that checks {@code route}'s scopes and required claims, or empty when it has none. */
  public Optional<Stage> authorizationStage(Route route) {
    if (route.scopes().isEmpty() && route.requiredClaims().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new AuthorizationStage(route.scopes(), route.requiredClaims()));
  }

  /** The state of every key source, and the verification counters. */
  public List<Health.Component> health() {
    List<Health.Component> components = new ArrayList<>();
    for (JwksKeySource source : keySources) {
      components.add(source.health());
    }
    components.add(new Health.Component("jwt", Health.Status.UP, "ok", Optional.empty(), "",
        Map.of("signature-verifications", verifications.get(), "cache-hits", cacheHits.get(),
            "cache-size", cache.size())));
    return components;
  }

  /** The snapshot store {@code settings} describe: files, or one found through ServiceLoader. */
  static KeySetSnapshots snapshots(JwtConfig.KeySnapshots settings, Clock clock) {
    if (settings.type().equals("file")) {
      return KeySetSnapshots.inDirectory(Path.of((String) settings.settings().get("directory")));
    }
    return snapshotsProvider(settings.type()).orElseThrow(() -> new ConfigException(
        "jwt.key-snapshots.type", "no key-set snapshot store of type '" + settings.type()
            + "' on the class path (for redis, add apisec-redis)"))
        .create(settings.settings(), clock);
  }

  /** The provider of a snapshot store type, found through {@link ServiceLoader}. */
  public static Optional<KeySetSnapshotsProvider> snapshotsProvider(String type) {
    for (KeySetSnapshotsProvider provider : ServiceLoader.load(KeySetSnapshotsProvider.class)) {
      if (provider.type().equals(type)) {
        return Optional.of(provider);
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    keySources.forEach(JwksKeySource::close);
    if (ownedSnapshots != null) {
      try {
        ownedSnapshots.close();
      } catch (Exception e) {
        // closing a store's connection cannot fail verification; nothing is left to do with it
      }
    }
    scheduler.shutdownNow();
    if (httpExecutor != null) {
      httpExecutor.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
