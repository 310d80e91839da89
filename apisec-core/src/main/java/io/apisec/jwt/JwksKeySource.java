package io.apisec.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.apisec.Health;
import io.apisec.config.JwtConfig;
import io.apisec.internal.BoundedBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key set of one issuer, fetched from its JWKS (directly or through OIDC discovery) with the
 * JDK's non-blocking HTTP client, cached, and refreshed in the background before it expires.
 *
 * <p>Thread-safe. Never blocks a caller: a key in the cached set is returned in a completed
 * stage; otherwise the stage completes when the one fetch in flight completes. An unknown
 * {@code kid} triggers at most one fetch per {@code min-interval}, coalesced across callers, and a
 * {@code kid} still unknown after a fetch is refused without asking again for
 * {@code unknown-key-ttl}. When fetches fail, the last good set serves until {@code max-staleness}
 * past its lifetime; then lookups answer "unavailable" (the stage fails closed with 503).
 *
 * <p>With {@link KeySetSnapshots} configured, every fetched set is saved with its fetch time, and
 * a source that has no keys yet restores the saved set at start: requests wait for that restore
 * (never for the network fetch beside it), and the restored set is bounded by the same
 * {@code max-staleness}, counted from when the identity provider really served it.
 */
final class JwksKeySource {
  private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d{1,10})\"?");
  private static final int MAX_BODY = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a lookup found: keys to try, or why there are none. */
  record Lookup(List<VerificationKey> keys, String problem, boolean unavailable, long retryAfterSeconds) {
    static Lookup found(List<VerificationKey> keys) {
      return new Lookup(keys, "", false, 0);
    }

    static Lookup invalid(String problem) {
      return new Lookup(List.of(), problem, false, 0);
    }
  }

  /** One fetched key set with its timeline. */
  record KeySet(Map<String, List<VerificationKey>> byKid, List<VerificationKey> all, Map<String, String> refused,
      Instant fetchedAt, Instant refreshAt, Instant freshUntil, Instant usableUntil, String publicJson) {}

  private final JwtConfig.Issuer issuer;
  private final JwtConfig.Refresh refresh;
  private final HttpClient http;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Consumer<Set<VerificationKey>> onRemoved;
  private final Cache<String, Boolean> unknownKids;
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final KeySetSnapshots snapshots;
  private final AtomicLong snapshotFailures = new AtomicLong();

  private volatile KeySet keys;
  private volatile URI discoveredJwks;
  private volatile String lastError = "";
  private volatile String snapshotError = "";
  private volatile boolean restored;
  private volatile CompletableFuture<Void> restoring;
  // guarded by this
  private CompletableFuture<KeySet> inFlight;
  private Instant lastFetchStart;
  private ScheduledFuture<?> nextCheck;
  private boolean closed;

  JwksKeySource(JwtConfig.Issuer issuer, HttpClient http, Clock clock, ScheduledExecutorService scheduler,
      Consumer<Set<VerificationKey>> onRemoved, KeySetSnapshots snapshots) {
    this.issuer = issuer;
    this.snapshots = snapshots;
    this.refresh = issuer.refresh();
    this.http = http;
    this.clock = clock;
    this.scheduler = scheduler;
    this.onRemoved = onRemoved;
    this.unknownKids = Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfterWrite(refresh.unknownKeyTtl())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  /** Restores the saved key set and fetches the keys now, so that the first request does not pay for it. */
  void start() {
    if (snapshots != null) {
      CompletableFuture<Optional<KeySetSnapshot>> load;
      try {
        load = snapshots.load(issuer.issuer()).toCompletableFuture();
      } catch (RuntimeException e) {
        load = CompletableFuture.failedFuture(e);
      }
      restoring = load.orTimeout(refresh.timeout().toMillis(), TimeUnit.MILLISECONDS).handle((found, failure) -> {
        if (failure != null) {
          snapshotFailures.incrementAndGet();
          snapshotError = "the snapshot could not be loaded: " + describeSnapshotFailure(failure);
        } else {
          found.ifPresent(this::restore);
        }
        return null;
      });
    }
    fetch(clock.instant(), true);
  }

  /** Installs a saved set while no fetched one is there, unless it is already past max-staleness. */
  private void restore(KeySetSnapshot snapshot) {
    Instant now = clock.instant();
    if (!snapshot.issuer().equals(issuer.issuer())) {
      snapshotError = "the snapshot belongs to another issuer";
      return;
    }
    // a snapshot written by a node whose clock runs ahead must not extend the staleness bound
    Instant fetchedAt = snapshot.fetchedAt().isAfter(now) ? now : snapshot.fetchedAt();
    KeySet set;
    try {
      set = keySet(JWKSet.parse(snapshot.keys()), fetchedAt, boundedLifetime(snapshot.lifetime()), now);
    } catch (ParseException | RuntimeException e) {
      snapshotError = "the snapshot holds no usable key set";
      return;
    }
    if (!now.isBefore(set.usableUntil())) {
      snapshotError = "the snapshot, fetched at " + fetchedAt + ", is older than refresh.max-staleness allows";
      return;
    }
    synchronized (this) {
      if (keys != null) {
        return; // the endpoint answered first: its keys are newer
      }
      keys = set;
      restored = true;
      snapshotError = "";
    }
  }

  private void save(KeySet set) {
    if (snapshots == null) {
      return;
    }
    KeySetSnapshot snapshot = new KeySetSnapshot(issuer.issuer(), set.publicJson(), set.fetchedAt(),
        Duration.between(set.fetchedAt(), set.freshUntil()));
    CompletionStage<Void> saved;
    try {
      saved = snapshots.save(snapshot);
    } catch (RuntimeException e) {
      saved = CompletableFuture.failedFuture(e);
    }
    saved.whenComplete((ignored, failure) -> {
      if (failure == null) {
        snapshotError = "";
      } else {
        snapshotFailures.incrementAndGet();
        snapshotError = "the snapshot could not be saved: " + describeSnapshotFailure(failure);
      }
    });
  }

  private static String describeSnapshotFailure(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TimeoutException) {
      return "it timed out";
    }
    // the stores' messages name files and keys, never key material
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  /** The keys that may verify a token with this {@code kid} (null when absent) and algorithm. */
  CompletionStage<Lookup> keysFor(String kid, String alg) {
    KeySet set = keys;
    CompletableFuture<Void> restore = restoring;
    if (set == null && restore != null && !restore.isDone()) {
      return restore.thenCompose(ignored -> keysFor(kid, alg));
    }
    Instant now = clock.instant();
    if (set != null && now.isBefore(set.usableUntil())) {
      if (!now.isBefore(set.refreshAt())) {
        fetch(now, false); // refresh ahead of expiry; this caller goes on with the current set
      }
      Lookup found = select(set, kid, alg);
      if (found != null) {
        return CompletableFuture.completedFuture(found);
      }
      if (kid == null) {
        return CompletableFuture.completedFuture(Lookup.invalid("No key of the issuer fits the token's algorithm"));
      }
      if (unknownKids.getIfPresent(kid) != null) {
        return CompletableFuture.completedFuture(unknownKid(set, kid));
      }
      CompletableFuture<KeySet> fetch = fetch(now, false);
      if (fetch == null) {
        return CompletableFuture.completedFuture(unknownKid(set, kid));
      }
      return fetch.handle((fresh, failure) -> afterFetch(kid, alg, failure == null));
    }
    CompletableFuture<KeySet> fetch = fetch(now, false);
    if (fetch == null) {
      return CompletableFuture.completedFuture(unavailable(now));
    }
    return fetch.handle((fresh, failure) -> afterFetch(kid, alg, failure == null));
  }

  private Lookup afterFetch(String kid, String alg, boolean fetched) {
    Instant now = clock.instant();
    KeySet set = keys;
    if (set == null || !now.isBefore(set.usableUntil())) {
      return unavailable(now);
    }
    Lookup found = select(set, kid, alg);
    if (found != null) {
      return found;
    }
    if (kid == null) {
      return Lookup.invalid("No key of the issuer fits the token's algorithm");
    }
    if (!fetched) {
      // the keys could not be refreshed, so an unknown kid may be a rotated key: we cannot decide
      return unavailable(now);
    }
    unknownKids.put(kid, Boolean.TRUE);
    return unknownKid(set, kid);
  }

  private static Lookup select(KeySet set, String kid, String alg) {
    List<VerificationKey> candidates = kid == null ? set.all() : set.byKid().get(kid);
    if (candidates == null) {
      return null;
    }
    List<VerificationKey> fitting = new ArrayList<>(1);
    for (VerificationKey key : candidates) {
      if (key.fits(alg)) {
        fitting.add(key);
      }
    }
    if (fitting.isEmpty()) {
      return kid == null ? null
          : Lookup.invalid("The key the token names does not fit its algorithm (key type, curve or alg)");
    }
    return Lookup.found(fitting);
  }

  private static Lookup unknownKid(KeySet set, String kid) {
    String refused = set.refused().get(kid);
    return Lookup.invalid(refused != null
        ? "The key the token names was refused because " + refused
        : "The token's key id is unknown to its issuer");
  }

  private synchronized Lookup unavailable(Instant now) {
    long wait = lastFetchStart == null ? 1
        : Duration.between(now, lastFetchStart.plus(refresh.minInterval())).toSeconds();
    String why = lastError.isEmpty() ? "its keys are not loaded yet" : lastError;
    return new Lookup(List.of(), "The keys of issuer " + issuer.issuer() + " are unavailable: " + why, true,
        Math.max(1, wait));
  }

  /**
   * Joins the fetch in flight, or starts one when forced or when {@code min-interval} has passed
   * since the last; null when neither.
   */
  private CompletableFuture<KeySet> fetch(Instant now, boolean force) {
    CompletableFuture<KeySet> result;
    synchronized (this) {
      if (inFlight != null) {
        return inFlight;
      }
      if (closed || (!force && lastFetchStart != null && now.isBefore(lastFetchStart.plus(refresh.minInterval())))) {
        return null;
      }
      lastFetchStart = now;
      fetches.incrementAndGet();
      result = new CompletableFuture<>();
      inFlight = result;
    }
    CompletableFuture<KeySet> attempt;
    try {
      attempt = download().orTimeout(refresh.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    attempt.whenComplete((set, failure) -> {
      Set<VerificationKey> removed = Set.of();
      synchronized (this) {
        if (failure == null) {
          removed = removedKeys(keys, set);
          keys = set;
          restored = false;
          lastError = "";
        } else {
          failures.incrementAndGet();
          lastError = describe(failure);
        }
        inFlight = null;
        scheduleNextCheck();
      }
      if (!removed.isEmpty()) {
        onRemoved.accept(removed);
      }
      if (failure == null) {
        save(set);
        result.complete(set);
      } else {
        result.completeExceptionally(failure);
      }
    });
    return result;
  }

  private static Set<VerificationKey> removedKeys(KeySet previous, KeySet current) {
    if (previous == null) {
      return Set.of();
    }
    Set<VerificationKey> gone = Collections.newSetFromMap(new IdentityHashMap<>());
    gone.addAll(previous.all());
    current.all().forEach(gone::remove);
    return gone;
  }

  /** Schedules the next background check: before the set expires, or a retry after a failure. */
  private void scheduleNextCheck() {
    if (closed) {
      return;
    }
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
    KeySet set = keys;
    Duration delay = set == null || !lastError.isEmpty()
        ? refresh.minInterval()
        : Duration.between(clock.instant(), set.refreshAt());
    long millis = Math.max(1000, Math.min(delay.toMillis(), refresh.maxInterval().toMillis()));
    try {
      nextCheck = scheduler.schedule(this::backgroundCheck, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // shutting down: requests still refresh on access until close() completes
      nextCheck = null;
    }
  }

  private void backgroundCheck() {
    Instant now = clock.instant();
    KeySet set = keys;
    if (set == null || !lastError.isEmpty() || !now.isBefore(set.refreshAt())) {
      if (fetch(now, false) != null) {
        return; // its completion schedules the next check
      }
    }
    synchronized (this) {
      scheduleNextCheck();
    }
  }

  private CompletableFuture<KeySet> download() {
    return jwksLocation()
        .thenCompose(this::get)
        .thenApply(response -> parse(response.body(), response.headers()));
  }

  private CompletableFuture<URI> jwksLocation() {
    Optional<URI> configured = issuer.jwksUri();
    if (configured.isPresent()) {
      return CompletableFuture.completedFuture(configured.get());
    }
    URI known = discoveredJwks;
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return get(issuer.discovery().orElseThrow()).thenApply(response -> {
      JsonNode document;
      try {
        document = JSON.readTree(response.body());
      } catch (IOException e) {
        throw new KeySourceException("the discovery document is not JSON");
      }
      if (document == null || !document.isObject()) {
        throw new KeySourceException("the discovery document is not a JSON object");
      }
      if (!issuer.issuer().equals(document.path("issuer").asText(null))) {
        throw new KeySourceException("the discovery document names another issuer");
      }
      String jwks = document.path("jwks_uri").asText(null);
      URI uri;
      try {
        uri = jwks == null ? null : URI.create(jwks);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new KeySourceException("the discovery document has no http(s) jwks_uri");
      }
      discoveredJwks = uri;
      return uri;
    });
  }

  private CompletableFuture<HttpResponse<byte[]>> get(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(refresh.timeout())
        .header("Accept", "application/json")
        .GET()
        .build();
    return http.sendAsync(request, BoundedBody.handler(MAX_BODY)).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new KeySourceException("HTTP " + response.statusCode() + " from " + uri);
      }
      return response;
    });
  }

  private KeySet parse(byte[] body, HttpHeaders headers) {
    JWKSet parsed;
    try {
      parsed = JWKSet.parse(new String(body, StandardCharsets.UTF_8));
    } catch (ParseException | RuntimeException e) {
      throw new KeySourceException("the response is not a JWK set");
    }
    Duration lifetime = boundedLifetime(maxAge(headers).orElse(refresh.maxInterval()));
    Instant now = clock.instant();
    // refresh when four fifths of the lifetime have passed, so a working endpoint never lets it lapse
    return keySet(parsed, now, lifetime, now.plus(lifetime.multipliedBy(4).dividedBy(5)));
  }

  /** The usable keys of {@code parsed}, fetched at {@code fetchedAt} and fresh for {@code lifetime}. */
  private KeySet keySet(JWKSet parsed, Instant fetchedAt, Duration lifetime, Instant refreshAt) {
    KeySet previous = keys;
    Map<String, VerificationKey> known = new LinkedHashMap<>();
    if (previous != null) {
      previous.all().forEach(k -> known.put(k.json(), k));
    }
    Map<String, List<VerificationKey>> byKid = new LinkedHashMap<>();
    List<VerificationKey> all = new ArrayList<>();
    Map<String, String> refused = new LinkedHashMap<>();
    for (JWK jwk : parsed.getKeys()) {
      if (jwk.isPrivate()) {
        // a published private key is a misconfiguration of the IdP; use only its public half
        jwk = jwk.toPublicJWK();
      }
      VerificationKey key = known.get(jwk.toJSONString());
      Object made = key != null ? key : VerificationKey.fromJwk(jwk);
      if (made instanceof String) {
        if (jwk.getKeyID() != null) {
          refused.put(jwk.getKeyID(), (String) made);
        }
        continue;
      }
      key = (VerificationKey) made;
      all.add(key);
      if (key.kid() != null) {
        byKid.computeIfAbsent(key.kid(), k -> new ArrayList<>(1)).add(key);
      }
    }
    if (all.isEmpty()) {
      throw new KeySourceException("the JWK set holds no usable signing key");
    }
    Instant freshUntil = fetchedAt.plus(lifetime);
    byKid.replaceAll((kid, list) -> List.copyOf(list));
    return new KeySet(Map.copyOf(byKid), List.copyOf(all), Map.copyOf(refused), fetchedAt, refreshAt, freshUntil,
        freshUntil.plus(refresh.maxStaleness()), parsed.toPublicJWKSet().toString());
  }

  private Duration boundedLifetime(Duration lifetime) {
    if (lifetime.compareTo(refresh.minInterval()) < 0) {
      return refresh.minInterval();
    }
    if (lifetime.compareTo(refresh.maxInterval()) > 0) {
      return refresh.maxInterval();
    }
    return lifetime;
  }

  private static Optional<Duration> maxAge(HttpHeaders headers) {
    for (String value : headers.allValues("cache-control")) {
      String lower = value.toLowerCase(Locale.ROOT);
      if (lower.contains("no-store") || lower.contains("no-cache")) {
        return Optional.of(Duration.ZERO);
      }
      Matcher m = MAX_AGE.matcher(lower);
      if (m.find()) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1))));
      }
    }
    return Optional.empty();
  }

  private String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
      return "the fetch timed out after " + refresh.timeout().toMillis() + "ms";
    }
    if (cause instanceof ConnectException) {
      return "the connection was refused";
    }
    if (cause instanceof KeySourceException || cause instanceof BoundedBody.TooLarge) {
      return cause.getMessage();
    }
    return "the fetch failed (" + cause.getClass().getSimpleName() + ")";
  }

  /** Whether the current key set may verify at {@code now}: loaded and not past its maximum staleness. */
  boolean usable(Instant now) {
    KeySet set = keys;
    return set != null && now.isBefore(set.usableUntil());
  }

  /** The state of this key source for readiness and metrics. */
  Health.Component health() {
    Instant now = clock.instant();
    KeySet set = keys;
    String state;
    Health.Status status;
    if (set != null && now.isBefore(set.freshUntil())) {
      state = "fresh";
      status = Health.Status.UP;
    } else if (set != null && now.isBefore(set.usableUntil())) {
      state = "stale";
      status = Health.Status.DEGRADED;
    } else {
      state = set == null && lastError.isEmpty() ? "loading" : "failed";
      status = Health.Status.DOWN;
    }
    return new Health.Component("jwks:" + issuer.issuer(), status, state,
        set == null ? Optional.empty() : Optional.of(Duration.between(set.fetchedAt(), now)), errors(),
        Map.of("fetches", fetches.get(), "fetch-failures", failures.get(),
            "keys", (long) (set == null ? 0 : set.all().size()),
            "restored-from-snapshot", restored && set != null ? 1L : 0L,
            "snapshot-failures", snapshotFailures.get()));
  }

  private String errors() {
    String fetch = lastError;
    String snapshot = snapshotError;
    if (snapshot.isEmpty()) {
      return fetch;
    }
    return fetch.isEmpty() ? snapshot : fetch + "; " + snapshot;
  }

  /** Stops the background refresh. */
  synchronized void close() {
    closed = true;
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
  }

  /** A failure of the key endpoint, with a message fit for operators (no key material). */
  static final class KeySourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeySourceException(String message) {
      super(message, null, false, false);
    }
  }
}
