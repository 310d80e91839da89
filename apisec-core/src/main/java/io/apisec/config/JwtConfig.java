package io.apisec.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The JWT settings: the clock skew for every time check, the verified-token cache size, and the
 * accepted issuers with their key sources. Immutable; {@link #toString()} never shows a secret.
 */
public final class JwtConfig {
  /** Signature algorithms apisec verifies, by their JOSE names. */
  public static final Set<String> ALGORITHMS = Set.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
      "HS256", "HS384", "HS512");
  /** The asymmetric algorithms, which an issuer without an explicit list accepts. */
  public static final Set<String> ASYMMETRIC_ALGORITHMS = Set.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  /** No issuers: routes that require a token cannot be configured. */
  public static final JwtConfig NONE = builder().build();

  private final Duration clockSkew;
  private final int cacheMaxEntries;
  private final List<Issuer> issuers;
  private final KeySnapshots keySnapshots;

  private JwtConfig(Builder b) {
    this.clockSkew = b.clockSkew;
    this.cacheMaxEntries = b.cacheMaxEntries;
    this.issuers = List.copyOf(b.issuers);
    this.keySnapshots = b.keySnapshots;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The tolerance for {@code exp}, {@code nbf} and {@code iat}; 60 s by default. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** Most verified tokens kept in the cache; 0 disables it. */
  public int cacheMaxEntries() {
    return cacheMaxEntries;
  }

  public List<Issuer> issuers() {
    return issuers;
  }

  /** Where the issuers' last good key sets are persisted, or empty for nowhere (the default). */
  public Optional<KeySnapshots> keySnapshots() {
    return Optional.ofNullable(keySnapshots);
  }

  @Override
  public String toString() {
    return "JwtConfig[clockSkew=" + clockSkew + ", issuers=" + issuers
        + (keySnapshots == null ? "" : ", keySnapshots=" + keySnapshots.type()) + ']';
  }

  /** Collects JWT settings; each setter rejects a bad value at once. Not thread-safe. */
  public static final class Builder {
    private Duration clockSkew = Duration.ofSeconds(60);
    private int cacheMaxEntries = 10_000;
    private final List<Issuer> issuers = new ArrayList<>();
    private KeySnapshots keySnapshots;

    private Builder() {}

    /** Persists each issuer's last good key set as {@code snapshots} says. */
    public Builder keySnapshots(KeySnapshots snapshots) {
      this.keySnapshots = Objects.requireNonNull(snapshots, "key-snapshots");
      return this;
    }

    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clock-skew");
      if (skew.isNegative()) {
        throw new IllegalArgumentException("clock-skew must not be negative: " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    public Builder cacheMaxEntries(int maxEntries) {
      if (maxEntries < 0) {
        throw new IllegalArgumentException("cache.max-entries must not be negative: " + maxEntries);
      }
      this.cacheMaxEntries = maxEntries;
      return this;
    }

    public Builder issuer(Issuer issuer) {
      Objects.requireNonNull(issuer, "issuer");
      for (Issuer existing : issuers) {
        if (existing.issuer().equals(issuer.issuer())) {
          throw new IllegalArgumentException("Duplicate issuer '" + issuer.issuer() + "'");
        }
      }
      issuers.add(issuer);
      return this;
    }

    public JwtConfig build() {
      return new JwtConfig(this);
    }
  }

  /**
   * Where key-set snapshots live: {@code type: file} with a {@code directory}, or the type of a
   * {@link io.apisec.jwt.KeySetSnapshotsProvider} such as {@code redis} with its own settings (for
   * redis, the same keys as the rate-limit {@code store}). Immutable.
   *
   * @param type {@code file}, or a provider's type
   * @param settings every setting under {@code key-snapshots} but {@code type}, as plain values
   */
  public record KeySnapshots(String type, Map<String, Object> settings) {
    public KeySnapshots {
      Objects.requireNonNull(type, "key-snapshots.type");
      if (type.isBlank()) {
        throw new IllegalArgumentException("key-snapshots.type must not be empty");
      }
      settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
      if (type.equals("file")) {
        for (String key : settings.keySet()) {
          if (!key.equals("directory")) {
            throw new IllegalArgumentException(
                "key-snapshots." + key + ": unknown setting for file snapshots; known: directory");
          }
        }
        Object directory = settings.get("directory");
        if (!(directory instanceof String) || ((String) directory).isBlank()) {
          throw new IllegalArgumentException("key-snapshots.directory: file snapshots need a directory");
        }
      }
    }

    /** File snapshots in {@code directory}. */
    public static KeySnapshots inDirectory(Path directory) {
      return new KeySnapshots("file", Map.of("directory", directory.toString()));
    }
  }

  /**
   * How a JWKS key source refreshes.
   *
   * @param minInterval least time between two fetches (also the shortest key-set lifetime): an
   *     unknown {@code kid} triggers at most one refetch per interval
   * @param maxInterval longest key-set lifetime, and the lifetime when the response sets no
   *     {@code Cache-Control: max-age}
   * @param maxStaleness how long past its lifetime the last good key set still verifies while the
   *     endpoint fails; after that verification fails closed
   * @param timeout how long one fetch may take
   * @param unknownKeyTtl how long a {@code kid} that a fresh fetch did not contain is refused
   *     without asking the endpoint again
   */
  public record Refresh(
      Duration minInterval, Duration maxInterval, Duration maxStaleness, Duration timeout, Duration unknownKeyTtl) {
    public static final Refresh DEFAULTS = new Refresh(
        Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(6), Duration.ofSeconds(5), Duration.ofSeconds(60));

    public Refresh {
      positive("refresh.min-interval", minInterval);
      positive("refresh.max-interval", maxInterval);
      positive("refresh.timeout", timeout);
      Objects.requireNonNull(maxStaleness, "refresh.max-staleness");
      Objects.requireNonNull(unknownKeyTtl, "refresh.unknown-key-ttl");
      if (maxStaleness.isNegative() || unknownKeyTtl.isNegative()) {
        throw new IllegalArgumentException("refresh.max-staleness and refresh.unknown-key-ttl must not be negative");
      }
      if (maxInterval.compareTo(minInterval) < 0) {
        throw new IllegalArgumentException(
            "refresh.max-interval (" + maxInterval + ") must not be shorter than refresh.min-interval (" + minInterval + ")");
      }
    }

    private static void positive(String key, Duration value) {
      Objects.requireNonNull(value, key);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(key + " must be positive: " + value);
      }
    }
  }

  /** One accepted token issuer. Immutable; {@link #toString()} never shows the secret. */
  public static final class Issuer {
    private final String issuer;
    private final URI jwksUri;
    private final URI discovery;
    private final List<String> audiences;
    private final Set<String> algorithms;
    private final String type;
    private final byte[] secret;
    private final int maxTokenSize;
    private final Duration maxLifetime;
    private final Refresh refresh;

    private Issuer(Builder b) {
      this.issuer = b.issuer;
      this.jwksUri = b.jwksUri;
      this.discovery = b.discovery;
      this.audiences = List.copyOf(b.audiences);
      this.algorithms = Set.copyOf(b.algorithms);
      this.type = b.type;
      this.secret = b.secret;
      this.maxTokenSize = b.maxTokenSize;
      this.maxLifetime = b.maxLifetime;
      this.refresh = b.refresh;
    }

    /** Starts an issuer whose tokens carry exactly this {@code iss}. */
    public static Builder builder(String issuer) {
      return new Builder(issuer);
    }

    /** The {@code iss} value, compared exactly. */
    public String issuer() {
      return issuer;
    }

    public Optional<URI> jwksUri() {
      return Optional.ofNullable(jwksUri);
    }

    /** The OIDC discovery document ({@code .../.well-known/openid-configuration}) naming the JWKS. */
    public Optional<URI> discovery() {
      return Optional.ofNullable(discovery);
    }

    /** Whether keys come from a JWKS (directly or through discovery). */
    public boolean hasJwks() {
      return jwksUri != null || discovery != null;
    }

    /** Accepted {@code aud} values; a token must name at least one. */
    public List<String> audiences() {
      return audiences;
    }

    /** The algorithm allow list as configured; empty when none was given. */
    public Set<String> algorithms() {
      return algorithms;
    }

    /** The algorithms actually accepted: the list, or every asymmetric one when none was given. */
    public Set<String> acceptedAlgorithms() {
      return algorithms.isEmpty() ? ASYMMETRIC_ALGORITHMS : algorithms;
    }

    /** The required {@code typ} header, such as {@code at+jwt}. */
    public Optional<String> type() {
      return Optional.ofNullable(type);
    }

    /** The shared secret for HS* algorithms (a copy). */
    public Optional<byte[]> secret() {
      return secret == null ? Optional.empty() : Optional.of(secret.clone());
    }

    /** Longest accepted token, in bytes (characters of the compact form). */
    public int maxTokenSize() {
      return maxTokenSize;
    }

    /** Longest accepted lifetime ({@code exp} − {@code iat}), when limited. */
    public Optional<Duration> maxLifetime() {
      return Optional.ofNullable(maxLifetime);
    }

    public Refresh refresh() {
      return refresh;
    }

    @Override
    public String toString() {
      return "Issuer[" + issuer + ", algorithms=" + algorithms + (secret == null ? "" : ", secret=[redacted]") + ']';
    }

    /** Collects an issuer's settings; each setter rejects a bad value at once. Not thread-safe. */
    public static final class Builder {
      private final String issuer;
      private URI jwksUri;
      private URI discovery;
      private final List<String> audiences = new ArrayList<>();
      private final Set<String> algorithms = new LinkedHashSet<>();
      private String type;
      private byte[] secret;
      private int maxTokenSize = 8 * 1024;
      private Duration maxLifetime;
      private Refresh refresh = Refresh.DEFAULTS;

      private Builder(String issuer) {
        Objects.requireNonNull(issuer, "issuer");
        if (issuer.isBlank()) {
          throw new IllegalArgumentException("issuer must not be blank");
        }
        this.issuer = issuer;
      }

      public Builder jwksUri(String uri) {
        this.jwksUri = httpUri("jwks-uri", uri);
        return this;
      }

      public Builder discovery(String uri) {
        this.discovery = httpUri("discovery", uri);
        return this;
      }

      public Builder audiences(String... audiences) {
        for (String audience : audiences) {
          if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("Empty audience on issuer " + issuer);
          }
          this.audiences.add(audience);
        }
        return this;
      }

      public Builder algorithms(String... names) {
        for (String name : names) {
          if (!ALGORITHMS.contains(name)) {
            String known = ALGORITHMS.stream().sorted().toList().toString();
            throw new IllegalArgumentException("Unknown or unsupported algorithm '" + name + "' on issuer " + issuer
                + "; known: " + known);
          }
          algorithms.add(name);
        }
        return this;
      }

      /** Requires this {@code typ} header (compared ignoring case and an {@code application/} prefix). */
      public Builder type(String type) {
        Objects.requireNonNull(type, "typ");
        String t = type.toLowerCase(Locale.ROOT);
        this.type = t.startsWith("application/") ? t.substring("application/".length()) : t;
        return this;
      }

      /** The shared secret for HS256/384/512 (UTF-8 bytes of the text). */
      public Builder secret(String secret) {
        Objects.requireNonNull(secret, "secret");
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        return this;
      }

      public Builder maxTokenSize(long bytes) {
        if (bytes < 64 || bytes > 1024 * 1024) {
          throw new IllegalArgumentException("max-token-size must be between 64B and 1MB on issuer " + issuer + ": " + bytes);
        }
        this.maxTokenSize = (int) bytes;
        return this;
      }

      public Builder maxLifetime(Duration lifetime) {
        Objects.requireNonNull(lifetime, "max-lifetime");
        if (lifetime.isNegative() || lifetime.isZero()) {
          throw new IllegalArgumentException("max-lifetime must be positive on issuer " + issuer + ": " + lifetime);
        }
        this.maxLifetime = lifetime;
        return this;
      }

      public Builder refresh(Refresh refresh) {
        this.refresh = Objects.requireNonNull(refresh, "refresh");
        return this;
      }

      public Issuer build() {
        if (jwksUri != null && discovery != null) {
          throw new IllegalArgumentException("Issuer " + issuer + " sets both jwks-uri and discovery; choose one");
        }
        if (audiences.isEmpty()) {
          throw new IllegalArgumentException("Issuer " + issuer + " needs at least one audience");
        }
        boolean hs = algorithms.stream().anyMatch(a -> a.startsWith("HS"));
        if (hs && secret == null) {
          throw new IllegalArgumentException("Issuer " + issuer + " allows an HS* algorithm but has no secret");
        }
        if (secret != null) {
          if (!hs) {
            throw new IllegalArgumentException("Issuer " + issuer + " has a secret but allows no HS* algorithm");
          }
          for (String alg : algorithms) {
            int bits = alg.startsWith("HS") ? Integer.parseInt(alg.substring(2)) : 0;
            if (secret.length * 8 < bits) {
              throw new IllegalArgumentException("Issuer " + issuer + ": the secret is shorter than " + bits
                  + " bits, which " + alg + " requires");
            }
          }
        }
        if (jwksUri == null && discovery == null && secret == null) {
          throw new IllegalArgumentException("Issuer " + issuer + " needs jwks-uri, discovery or a secret");
        }
        return new Issuer(this);
      }

      private URI httpUri(String key, String text) {
        Objects.requireNonNull(text, key);
        URI uri;
        try {
          uri = URI.create(text);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(key + " of issuer " + issuer + " is not a URI: '" + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
          throw new IllegalArgumentException(key + " of issuer " + issuer + " must be an http(s) URL: '" + text + "'");
        }
        return uri;
      }
    }
  }
}
