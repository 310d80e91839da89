package io.apisec.dpop;

import io.apisec.Attribute;
import io.apisec.Attributes;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.DpopConfig;
import io.apisec.internal.TrustedProxies;
import io.apisec.ratelimit.StoreSettings;
import java.time.Clock;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The DPoP support (RFC 9449) of one {@link io.apisec.ApiSecurity}: the proof checker, the replay
 * cache and the per-route stages, and the {@code WWW-Authenticate: DPoP} challenge of denials.
 *
 * <p>The replay cache is the one given to the builder, else one on the configured {@code store}
 * when its type has a {@link ProofReplayCacheProvider} on the class path ({@code redis} with
 * {@code apisec-redis}), else one in memory. Thread-safe once created; {@link #close()} closes a
 * cache this instance created, never a given one.
 */
public final class ProofOfPossession implements AutoCloseable {
  /** Set by the DPoP stage on its denials: their challenge is a DPoP one. */
  static final Attribute<Boolean> CHALLENGE = Attribute.of("dpop-challenge", Boolean.class);
  private static final System.Logger LOG = System.getLogger("io.apisec.dpop");

  private final DpopConfig config;
  private final Clock clock;
  private final ProofVerifier verifier;
  private final RequestUri requestUri;
  private final ProofReplayCache replayCache;
  private final boolean ownsCache;
  private final String algs;

  private ProofOfPossession(ApiSecurityConfig config, TrustedProxies proxies, Clock clock, ProofReplayCache cache,
      boolean ownsCache) {
    this.config = config.dpop();
    this.clock = clock;
    this.verifier = new ProofVerifier(this.config.algorithms(), this.config.proofMaxAge(), config.jwt().clockSkew());
    this.requestUri = new RequestUri(this.config.publicBaseUrl().orElse(null), proxies);
    this.replayCache = cache;
    this.ownsCache = ownsCache;
    this.algs = String.join(" ", this.config.algorithms());
  }

  /**
   * DPoP for {@code config}; {@code given} (may be null) replaces the configured replay cache. A
   * cache is created only when some route takes tokens.
   */
  public static ProofOfPossession create(ApiSecurityConfig config, TrustedProxies proxies, Clock clock,
      ProofReplayCache given) {
    if (given != null) {
      return new ProofOfPossession(config, proxies, clock, given, false);
    }
    boolean used = config.routes().stream().anyMatch(r -> r.auth().requiresToken());
    return new ProofOfPossession(config, proxies, clock, used ? createCache(config, clock) : null, used);
  }

  private static ProofReplayCache createCache(ApiSecurityConfig config, Clock clock) {
    StoreSettings store = config.rateLimitStore();
    if (!store.type().equals("memory")) {
      for (ProofReplayCacheProvider provider : ServiceLoader.load(ProofReplayCacheProvider.class)) {
        if (provider.type().equals(store.type())) {
          return provider.create(store.settings(), clock);
        }
      }
      LOG.log(System.Logger.Level.WARNING, "no DPoP replay cache for store type " + store.type()
          + "; proofs are remembered in this process only");
    }
    return new InMemoryProofReplayCache(clock, config.dpop().replayCacheMaxEntries());
  }

  /** The DPoP stage of a token route; it runs after the JWT stage, under its name. */
  public Stage stage(Route route) {
    return new DpopStage(this, mode(route));
  }

  /** The route's own mode, else the configured default. */
  public DpopMode mode(Route route) {
    return route.dpop().orElse(config.mode());
  }

  /**
   * The challenge scheme and parameters for a denial that challenges ({@code DPoP algs="..."}),
   * or empty when the denial's challenge is a Bearer one: DPoP proof errors, the DPoP stage's
   * refusals, any token refusal on a route that requires DPoP or of a request that used it.
   */
  public Optional<String> challenge(Decision.Deny deny, Route route, RequestView request, Attributes attributes) {
    boolean dpop = deny.reason() == DenyReason.INVALID_DPOP_PROOF || deny.reason() == DenyReason.AMBIGUOUS_DPOP_PROOF
        || attributes.getOrNull(CHALLENGE) != null
        || route != null && mode(route) == DpopMode.REQUIRED
        || route != null && mode(route) != DpopMode.DISABLED
            && DpopStage.isDpopScheme(request.headers().firstOrNull("authorization"));
    return dpop ? Optional.of("DPoP algs=\"" + algs + "\"") : Optional.empty();
  }

  Clock clock() {
    return clock;
  }

  ProofVerifier verifier() {
    return verifier;
  }

  RequestUri requestUri() {
    return requestUri;
  }

  ProofReplayCache replayCache() {
    return replayCache;
  }

  DpopMode issuerMode(String issuer) {
    return config.issuers().get(issuer);
  }

  @Override
  public void close() {
    if (ownsCache && replayCache != null) {
      replayCache.close();
    }
  }
}
