package io.apisec.config;

import io.apisec.dpop.DpopMode;
import io.apisec.dpop.InMemoryProofReplayCache;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The DPoP settings (RFC 9449, {@code dpop:}): the default mode of routes, the per-issuer modes,
 * the proof algorithms, how old a proof may be, the public URL clients address and the bound of
 * the in-memory replay cache. Immutable; build it with {@link #builder()}. The proof time window
 * also allows the {@code jwt.clock-skew}.
 */
public final class DpopConfig {
  /** Every algorithm a proof may be signed with: asymmetric only, never {@code none} or HS*. */
  public static final Set<String> ALGORITHMS = Set.of(
      "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA");
  /** The algorithms accepted by default, in the order the challenge lists them. */
  public static final List<String> DEFAULT_ALGORITHMS = List.of("ES256", "ES384", "PS256", "RS256", "EdDSA");
  public static final DpopConfig DEFAULTS = builder().build();

  private final DpopMode mode;
  private final Map<String, DpopMode> issuers;
  private final List<String> algorithms;
  private final Duration proofMaxAge;
  private final URI publicBaseUrl;
  private final long replayCacheMaxEntries;

  private DpopConfig(Builder b) {
    this.mode = b.mode;
    this.issuers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.issuers));
    this.algorithms = List.copyOf(b.algorithms);
    this.proofMaxAge = b.proofMaxAge;
    this.publicBaseUrl = b.publicBaseUrl;
    this.replayCacheMaxEntries = b.replayCacheMaxEntries;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The mode of routes that set none ({@code allowed} by default). */
  public DpopMode mode() {
    return mode;
  }

  /** Modes by issuer ({@code iss}): the stricter of a route's and its token issuer's mode applies. */
  public Map<String, DpopMode> issuers() {
    return issuers;
  }

  /** The {@code alg} values a proof may use, as the challenge lists them. */
  public List<String> algorithms() {
    return algorithms;
  }

  /** How long after its {@code iat} a proof is accepted (plus the clock skew). */
  public Duration proofMaxAge() {
    return proofMaxAge;
  }

  /**
   * The scheme, host and port (and path prefix) clients address, when the application sits
   * behind something that rewrites them; otherwise the URL comes from the request and the
   * trusted proxies' forwarding headers.
   */
  public Optional<URI> publicBaseUrl() {
    return Optional.ofNullable(publicBaseUrl);
  }

  /** The bound of the in-memory replay cache (used when the store is {@code memory}). */
  public long replayCacheMaxEntries() {
    return replayCacheMaxEntries;
  }

  @Override
  public String toString() {
    return "DpopConfig[mode=" + mode.configName() + ", issuers=" + issuers.keySet() + ", algorithms=" + algorithms
        + ", proofMaxAge=" + proofMaxAge + ']';
  }

  /** Collects settings; each setter rejects a bad value at once, naming its key. Not thread-safe. */
  public static final class Builder {
    private DpopMode mode = DpopMode.ALLOWED;
    private final Map<String, DpopMode> issuers = new LinkedHashMap<>();
    private List<String> algorithms = DEFAULT_ALGORITHMS;
    private Duration proofMaxAge = Duration.ofSeconds(60);
    private URI publicBaseUrl;
    private long replayCacheMaxEntries = InMemoryProofReplayCache.DEFAULT_MAX_ENTRIES;

    private Builder() {}

    /** The mode of routes that set none. */
    public Builder mode(DpopMode mode) {
      this.mode = Objects.requireNonNull(mode, "dpop.mode");
      return this;
    }

    /** The mode for tokens of {@code issuer}, combined with the route's (the stricter wins). */
    public Builder issuer(String issuer, DpopMode mode) {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(mode, "dpop.issuers");
      if (issuers.putIfAbsent(issuer, mode) != null) {
        throw new IllegalArgumentException("dpop.issuers: duplicate issuer '" + issuer + "'");
      }
      return this;
    }

    /** The proof algorithms accepted; asymmetric JWS algorithms only. */
    public Builder algorithms(String... names) {
      Set<String> chosen = new LinkedHashSet<>();
      for (String name : names) {
        if (!ALGORITHMS.contains(name)) {
          throw new IllegalArgumentException("dpop.algorithms: '" + name + "' is not an asymmetric JWS algorithm; known: "
              + ALGORITHMS.stream().sorted().toList());
        }
        chosen.add(name);
      }
      if (chosen.isEmpty()) {
        throw new IllegalArgumentException("dpop.algorithms must name at least one algorithm");
      }
      this.algorithms = List.copyOf(chosen);
      return this;
    }

    /** How long after its {@code iat} a proof is accepted; between 1 second and 10 minutes. */
    public Builder proofMaxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "dpop.proof-max-age");
      if (maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("dpop.proof-max-age must be between 1s and 10m: " + maxAge);
      }
      this.proofMaxAge = maxAge;
      return this;
    }

    /** The public base URL clients address ({@code https://api.example.com}, optionally with a path). */
    public Builder publicBaseUrl(String url) {
      URI uri;
      try {
        uri = new URI(Objects.requireNonNull(url, "dpop.public-base-url"));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("dpop.public-base-url is not a URL: '" + url + "'");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "dpop.public-base-url must be an http(s) URL with a host and no query, fragment or user: '" + url + "'");
      }
      this.publicBaseUrl = uri;
      return this;
    }

    /** The bound of the in-memory replay cache. */
    public Builder replayCacheMaxEntries(long maxEntries) {
      if (maxEntries <= 0) {
        throw new IllegalArgumentException("dpop.replay-cache-max-entries must be positive: " + maxEntries);
      }
      this.replayCacheMaxEntries = maxEntries;
      return this;
    }

    public DpopConfig build() {
      return new DpopConfig(this);
    }
  }
}
