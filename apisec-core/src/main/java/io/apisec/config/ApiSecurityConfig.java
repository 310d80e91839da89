package io.apisec.config;

import io.apisec.Route;
import io.apisec.internal.IpRange;
import io.apisec.ratelimit.RateLimitPolicy;
import io.apisec.ratelimit.StoreSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The complete, validated configuration of an {@link io.apisec.ApiSecurity}: what a YAML or JSON
 * file ({@link ConfigLoader}) and the fluent {@link Builder} both produce. Immutable.
 */
public final class ApiSecurityConfig {
  /** Names of the start-up lint's checks, for {@code allow-risky}. */
  public static final Set<String> RISKY_SETTINGS =
      Set.of("clock-skew", "hs-with-jwks", "no-algorithms", "trust-all-proxies", "default-allow",
          "no-client-auth-eku", "rate-limit-fail-open", "ocsp-soft-fail",
          "introspection-plain-http", "inline-client-secret");

  private final RequestLimits limits;
  private final List<IpRange> trustedProxies;
  private final List<Route> routes;
  private final boolean defaultAllow;
  private final Responses responses;
  private final Audit audit;
  private final Set<String> reportOnly;
  private final Set<String> allowRisky;
  private final JwtConfig jwt;
  private final MtlsSettings mtls;
  private final io.apisec.internal.TrustedProxies.ClientIpHeader clientIpHeader;
  private final Payload payload;
  private final Map<String, RateLimitPolicy> rateLimits;
  private final StoreSettings rateLimitStore;
  private final DpopConfig dpop;
  private final ResponseValidationSettings responseValidation;

  private ApiSecurityConfig(Builder b) {
    this.limits = b.limits;
    this.trustedProxies = List.copyOf(b.trustedProxies);
    this.routes = List.copyOf(b.routes);
    this.defaultAllow = b.defaultAllow;
    this.responses = b.responses;
    this.audit = b.audit;
    this.reportOnly = Set.copyOf(b.reportOnly);
    this.allowRisky = Set.copyOf(b.allowRisky);
    this.jwt = b.jwt;
    this.mtls = b.mtls;
    this.clientIpHeader = b.clientIpHeader;
    this.payload = b.payload;
    this.rateLimits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.rateLimits));
    this.rateLimitStore = b.rateLimitStore;
    this.dpop = b.dpop;
    this.responseValidation = b.responseValidation;
  }

  public static Builder builder() {
    return new Builder();
  }

  public RequestLimits limits() {
    return limits;
  }

  public List<IpRange> trustedProxies() {
    return trustedProxies;
  }

  public List<Route> routes() {
    return routes;
  }

  /** Whether a request that matches no route passes (the default is to deny it). */
  public boolean defaultAllow() {
    return defaultAllow;
  }

  public Responses responses() {
    return responses;
  }

  public Audit audit() {
    return audit;
  }

  /** Stages whose denials are reported, not enforced, on every route. */
  public Set<String> reportOnly() {
    return reportOnly;
  }

  /** Risky settings the operator accepted explicitly (see {@link #RISKY_SETTINGS}). */
  public Set<String> allowRisky() {
    return allowRisky;
  }

  /** The JWT settings: clock skew, verified-token cache, issuers. */
  public JwtConfig jwt() {
    return jwt;
  }

  /** How client certificates are verified and read from trusted proxies. */
  public MtlsSettings mtls() {
    return mtls;
  }

  /** The header trusted proxies record the forwarding chain in ({@code X-Forwarded-For} by default). */
  public io.apisec.internal.TrustedProxies.ClientIpHeader clientIpHeader() {
    return clientIpHeader;
  }

  /** Settings of the payload stage: JSON parsing limits, default schema draft, error report. */
  public Payload payload() {
    return payload;
  }

  /** The rate-limit policies by name, in the order given. */
  public Map<String, RateLimitPolicy> rateLimits() {
    return rateLimits;
  }

  /** Where the rate-limit buckets live ({@code store}). */
  public StoreSettings rateLimitStore() {
    return rateLimitStore;
  }

  /** The DPoP settings (RFC 9449). */
  public DpopConfig dpop() {
    return dpop;
  }

  /** The default mode and body bound of response validation ({@code response-validation}). */
  public ResponseValidationSettings responseValidation() {
    return responseValidation;
  }

  /**
   * Limits applied to every request before route matching.
   *
   * @param maxHeaderCount most header fields a request may carry
   * @param maxHeaderBytes most bytes of all header names and values together
   * @param maxPathLength most characters of the raw path
   * @param maxBody default body limit in bytes for routes that set none
   */
  public record RequestLimits(int maxHeaderCount, int maxHeaderBytes, int maxPathLength, long maxBody) {
    public static final RequestLimits DEFAULTS = new RequestLimits(100, 16 * 1024, 4096, 1024 * 1024);

    public RequestLimits {
      positive("limits.max-header-count", maxHeaderCount);
      positive("limits.max-header-bytes", maxHeaderBytes);
      positive("limits.max-path-length", maxPathLength);
      if (maxBody < 0) {
        throw new IllegalArgumentException("limits.max-body must not be negative: " + maxBody);
      }
    }
  }

  /**
   * Response settings.
   *
   * @param hstsMaxAge {@code Strict-Transport-Security} max-age over TLS; zero to omit the header
   * @param hstsIncludeSubdomains whether HSTS covers subdomains
   */
  public record Responses(Duration hstsMaxAge, boolean hstsIncludeSubdomains) {
    public static final Responses DEFAULTS = new Responses(Duration.ofDays(365), false);

    public Responses {
      Objects.requireNonNull(hstsMaxAge, "responses.hsts-max-age");
      if (hstsMaxAge.isNegative()) {
        throw new IllegalArgumentException("responses.hsts-max-age must not be negative");
      }
    }
  }

  /**
   * Audit settings.
   *
   * @param enabled whether one JSON line per decision is written
   * @param headers request header names recorded in each event (credentials always redacted)
   * @param redactHeaders further header names whose values are redacted
   */
  public record Audit(boolean enabled, List<String> headers, Set<String> redactHeaders) {
    public static final Audit DEFAULTS = new Audit(true, List.of(), Set.of());

    public Audit {
      headers = headers.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList();
      redactHeaders = Set.copyOf(redactHeaders.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList());
    }
  }

  /**
   * Payload settings shared by every route.
   *
   * @param defaultDraft JSON Schema draft for schemas without {@code $schema}: {@code 4}, {@code 6},
   *     {@code 7}, {@code 2019-09} or {@code 2020-12}
   * @param maxDepth most nesting levels of arrays and objects in a JSON body
   * @param maxStringLength most characters of one JSON string (property names included)
   * @param maxNumberLength most characters of one JSON number
   * @param maxProperties most properties of one JSON object
   * @param maxErrors most schema violations listed in a problem document
   * @param redact field names whose values a violation message never describes (matched
   *     case-insensitively, ignoring {@code -} and {@code _}, anywhere in a field name), added to
   *     {@link #DEFAULT_REDACT}
   */
  public record Payload(String defaultDraft, int maxDepth, int maxStringLength, int maxNumberLength,
      int maxProperties, int maxErrors, Set<String> redact) {
    /** Drafts a schema may name. */
    public static final List<String> DRAFTS = List.of("4", "6", "7", "2019-09", "2020-12");
    /** Field names always redacted in violation messages. */
    public static final Set<String> DEFAULT_REDACT = Set.of("password", "passwd", "secret", "token",
        "apikey", "authorization", "credential", "privatekey", "cvv", "cardnumber", "ssn");
    public static final Payload DEFAULTS =
        new Payload("2020-12", 64, 1024 * 1024, 100, 1000, 20, Set.of());

    public Payload {
      if (!DRAFTS.contains(defaultDraft)) {
        throw new IllegalArgumentException("payload.default-draft must be one of " + DRAFTS + ": '" + defaultDraft + "'");
      }
      positive("payload.max-depth", maxDepth);
      positive("payload.max-string-length", maxStringLength);
      positive("payload.max-number-length", maxNumberLength);
      positive("payload.max-properties", maxProperties);
      positive("payload.max-errors", maxErrors);
      redact = Set.copyOf(redact);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive: " + value);
    }
  }

  /** Collects settings; each setter rejects a bad value at once, naming it. Not thread-safe. */
  public static final class Builder {
    private RequestLimits limits = RequestLimits.DEFAULTS;
    private final List<IpRange> trustedProxies = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private boolean defaultAllow;
    private Responses responses = Responses.DEFAULTS;
    private Audit audit = Audit.DEFAULTS;
    private final Set<String> reportOnly = new LinkedHashSet<>();
    private final Set<String> allowRisky = new LinkedHashSet<>();
    private JwtConfig jwt = JwtConfig.NONE;
    private MtlsSettings mtls = MtlsSettings.DEFAULTS;
    private io.apisec.internal.TrustedProxies.ClientIpHeader clientIpHeader =
        io.apisec.internal.TrustedProxies.ClientIpHeader.X_FORWARDED_FOR;
    private Payload payload = Payload.DEFAULTS;
    private final Map<String, RateLimitPolicy> rateLimits = new LinkedHashMap<>();
    private StoreSettings rateLimitStore = StoreSettings.MEMORY;
    private DpopConfig dpop = DpopConfig.DEFAULTS;
    private ResponseValidationSettings responseValidation = ResponseValidationSettings.DEFAULTS;

    private Builder() {}

    /** The DPoP settings; by default DPoP is allowed on every token route. */
    public Builder dpop(DpopConfig dpop) {
      this.dpop = Objects.requireNonNull(dpop, "dpop");
      return this;
    }

    /** The default mode and body bound of response validation; off by default. */
    public Builder responseValidation(ResponseValidationSettings settings) {
      this.responseValidation = Objects.requireNonNull(settings, "responseValidation");
      return this;
    }

    public Builder jwt(JwtConfig jwt) {
      this.jwt = Objects.requireNonNull(jwt, "jwt");
      return this;
    }

    public Builder mtls(MtlsSettings mtls) {
      this.mtls = Objects.requireNonNull(mtls, "mtls");
      return this;
    }

    /** Which header trusted proxies write the forwarding chain in: {@code x-forwarded-for} or {@code forwarded}. */
    public Builder clientIpHeader(String configName) {
      io.apisec.internal.TrustedProxies.ClientIpHeader header =
          io.apisec.internal.TrustedProxies.ClientIpHeader.fromConfigName(configName);
      if (header == null) {
        throw new IllegalArgumentException(
            "client-ip-header must be x-forwarded-for or forwarded, found '" + configName + "'");
      }
      this.clientIpHeader = header;
      return this;
    }

    /** Adds a named rate-limit policy, which routes then list by name. */
    public Builder rateLimit(RateLimitPolicy policy) {
      if (rateLimits.putIfAbsent(policy.name(), policy) != null) {
        throw new IllegalArgumentException("Duplicate rate-limit policy '" + policy.name() + "'");
      }
      return this;
    }

    /** Where the rate-limit buckets live; in memory by default. */
    public Builder rateLimitStore(StoreSettings store) {
      this.rateLimitStore = Objects.requireNonNull(store, "store");
      return this;
    }

    public Builder limits(RequestLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Adds proxies (CIDR blocks) whose forwarding headers are believed. */
    public Builder trustedProxies(String... cidrs) {
      for (String cidr : cidrs) {
        trustedProxies.add(IpRange.parse(cidr));
      }
      return this;
    }

    public Builder route(Route route) {
      for (Route existing : routes) {
        if (existing.name().equals(route.name())) {
          throw new IllegalArgumentException("Duplicate route '" + route.name() + "'");
        }
      }
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    boolean hasRoute(String name) {
      return routes.stream().anyMatch(r -> r.name().equals(name));
    }

    /** Lets requests that match no route pass; risky, refused unless allowed as {@code default-allow}. */
    public Builder defaultAllow(boolean allow) {
      this.defaultAllow = allow;
      return this;
    }

    public Builder responses(Responses responses) {
      this.responses = Objects.requireNonNull(responses, "responses");
      return this;
    }

    public Builder audit(Audit audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    public Builder payload(Payload payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    public Builder reportOnly(String... stages) {
      for (String stage : stages) {
        if (!io.apisec.ApiSecurity.STAGE_NAMES.contains(stage)) {
          throw new IllegalArgumentException(
              "Unknown stage '" + stage + "' in report-only; known: " + io.apisec.ApiSecurity.STAGE_NAMES);
        }
        reportOnly.add(stage);
      }
      return this;
    }

    /** Accepts risky settings by name, which the start-up lint would otherwise refuse. */
    public Builder allowRisky(String... names) {
      for (String name : names) {
        if (!RISKY_SETTINGS.contains(name)) {
          throw new IllegalArgumentException("Unknown risky setting '" + name + "'; known: " + RISKY_SETTINGS);
        }
        allowRisky.add(name);
      }
      return this;
    }

    /** Validates the whole configuration and returns it; throws ConfigException naming the key. */
    public ApiSecurityConfig build() {
      ApiSecurityConfig config = new ApiSecurityConfig(this);
      for (int i = 0; i < routes.size(); i++) {
        for (String policy : routes.get(i).rateLimits()) {
          if (!rateLimits.containsKey(policy)) {
            throw new ConfigException("routes[" + i + "].rate-limit", "unknown rate-limit policy '" + policy
                + "'; defined: " + rateLimits.keySet());
          }
        }
      }
      for (String issuer : dpop.issuers().keySet()) {
        // a misspelt issuer would silently not require DPoP
        if (jwt.issuers().stream().noneMatch(i -> i.issuer().equals(issuer))) {
          throw new ConfigException("dpop.issuers", "'" + issuer + "' is not an issuer under jwt.issuers");
        }
      }
      StartupLint.check(config);
      return config;
    }
  }
}
