package io.apisec;

import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigLoader;
import io.apisec.dpop.ProofOfPossession;
import io.apisec.dpop.ProofReplayCache;
import io.apisec.internal.TrustedProxies;
import io.apisec.jwt.KeySetSnapshots;
import io.apisec.jwt.RevocationList;
import io.apisec.jwt.TokenVerification;
import io.apisec.mtls.CertificateVerifier;
import io.apisec.ratelimit.BucketStore;
import io.apisec.ratelimit.RateLimiting;
import io.apisec.schema.PayloadStages;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The front door: evaluates requests against a configuration and returns a {@link Decision}.
 *
 * <p>Build one per configuration and share it: it is thread-safe, and its caches and key sources
 * live as long as it does ({@link #close()} releases them). {@link #evaluate} never blocks; its
 * stage completes on the calling thread when every check is local, or later on a thread of the
 * key source or limiter when a check waits on the network. It never completes exceptionally: a
 * failing check is a {@code 503} denial.
 */
public final class ApiSecurity implements AutoCloseable {
  /** The names of the stages, in their order, as configuration and audit events know them. */
  public static final List<String> STAGE_NAMES = List.of("mtls", "jwt", "authz", "payload", "rate-limit", "custom");

  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
  private static final Set<String> ALWAYS_REDACTED =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "dpop");

  private final ApiSecurityConfig config;
  private final Clock clock;
  private final List<DecisionListener> listeners;
  private final RequestHygiene hygiene;
  private final RouteTable routes;
  private final Map<Route, Pipeline> pipelines;
  private final TrustedProxies trustedProxies;
  private final CertificateVerifier certificates;
  private final String hsts;
  private final List<Stage> customStages;
  private final TokenVerification tokens;
  private final PayloadStages payloadStages;
  private final RateLimiting rateLimiting;
  private final ProofOfPossession proofs;
  private final ResponseChecks responseChecks;

  private ApiSecurity(Builder builder) {
    this.customStages = List.copyOf(builder.customStages);
    this.config = builder.config;
    this.clock = builder.clock;
    this.listeners = List.copyOf(builder.listeners);
    this.hygiene = new RequestHygiene(config.limits());
    this.routes = new RouteTable(config.routes());
    this.trustedProxies = new TrustedProxies(config.trustedProxies(), config.clientIpHeader());
    this.certificates = CertificateVerifier.create(config.mtls(), trustedProxies, clock);
    this.pipelines = new IdentityHashMap<>();
    this.rateLimiting = RateLimiting.create(config, builder.bucketStore, clock);
    this.payloadStages = new PayloadStages(config);
    this.proofs = ProofOfPossession.create(config, trustedProxies, clock, builder.proofReplayCache);
    this.tokens = config.jwt().issuers().isEmpty() ? null
        : TokenVerification.start(config.jwt(), clock, builder.revocations, builder.keySetSnapshots);
    try {
      for (Route route : config.routes()) {
        pipelines.put(route, new Pipeline(stagesFor(route)));
      }
      this.responseChecks = new ResponseChecks(config, payloadStages, clock, listeners);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    long maxAge = config.responses().hstsMaxAge().getSeconds();
    this.hsts = maxAge == 0 ? null
        : "max-age=" + maxAge + (config.responses().hstsIncludeSubdomains() ? "; includeSubDomains" : "");
  }

  private List<Pipeline.NamedStage> stagesFor(Route route) {
    List<Pipeline.NamedStage> stages = new ArrayList<>();
    // rate limits keyed by IP, route or header refuse floods before the costlier identity checks
    rateLimiting.beforeAuthentication(route).ifPresent(
        s -> stages.add(new Pipeline.NamedStage("rate-limit", s, reportOnly(route, "rate-limit"))));
    if (route.auth().requiresCertificate() || !route.certificateAllow().isEmpty()) {
      stages.add(new Pipeline.NamedStage("mtls", certificates.stage(route), reportOnly(route, "mtls")));
    }
    if (route.auth().requiresToken()) {
      if (tokens == null) {
        throw new io.apisec.config.ConfigException("routes." + route.name() + ".auth",
            "auth '" + route.auth().configName() + "' needs at least one issuer under jwt.issuers");
      }
      stages.add(new Pipeline.NamedStage("jwt", tokens.tokenStage(), reportOnly(route, "jwt")));
      // RFC 8705: a certificate-bound token must come with its certificate; named "jwt" so report-only covers it
      stages.add(new Pipeline.NamedStage("jwt", certificates.tokenBindingStage(), reportOnly(route, "jwt")));
      // RFC 9449: DPoP proof and key binding, also under "jwt"
      stages.add(new Pipeline.NamedStage("jwt", proofs.stage(route), reportOnly(route, "jwt")));
      tokens.authorizationStage(route).ifPresent(
          authz -> stages.add(new Pipeline.NamedStage("authz", authz, reportOnly(route, "authz"))));
    }
    stages.add(new Pipeline.NamedStage("payload", payloadStages.forRoute(route), reportOnly(route, "payload")));
    rateLimiting.afterAuthentication(route).ifPresent(
        s -> stages.add(new Pipeline.NamedStage("rate-limit", s, reportOnly(route, "rate-limit"))));
    for (Stage custom : customStages) {
      stages.add(new Pipeline.NamedStage("custom", custom, reportOnly(route, "custom")));
    }
    return stages;
  }

  /** The client-certificate verifier; its {@code reload()} re-reads trust anchors and CRLs. */
  public CertificateVerifier certificateVerifier() {
    return certificates;
  }

  private boolean reportOnly(Route route, String stage) {
    return config.reportOnly().contains(stage) || route.reportOnly().contains(stage) || route.reportOnly().contains("*");
  }

  /** An instance for {@code config} with the default clock and the audit log on System.Logger. */
  public static ApiSecurity of(ApiSecurityConfig config) {
    return builder(config).build();
  }

  /** Loads a YAML or JSON file; throws a ConfigException naming the key and line when it is bad. */
  public static ApiSecurity fromFile(Path file) {
    return of(ConfigLoader.load(file));
  }

  public static Builder builder(ApiSecurityConfig config) {
    return new Builder(config);
  }

  public ApiSecurityConfig config() {
    return config;
  }

  /** Evaluates one request. The returned stage never completes exceptionally. */
  public CompletionStage<Decision> evaluate(RequestView request) {
    long start = System.nanoTime();
    String requestId = requestId(request.headers());
    Decision.Deny early = hygiene.checkHeaders(request.headers());
    if (early != null) {
      return done(finish(early, request, null, new Attributes(), requestId, start));
    }
    PathNormalizer.Result path = hygiene.normalisePath(request.rawPath());
    if (!path.ok()) {
      return done(finish(Decision.deny(DenyReason.AMBIGUOUS_PATH, path.refusal()), request, null,
          new Attributes(), requestId, start));
    }
    RequestView view = request.withPath(path.path());
    Attributes attributes = new Attributes();
    attributes.put(Attributes.REQUEST_ID, requestId);
    attributes.put(Attributes.CLIENT_IP, trustedProxies.clientIp(view));
    RouteTable.Match match = routes.match(view.method(), view.path());
    if (!match.found()) {
      Decision decision;
      if (!match.allowedMethods().isEmpty()) {
        decision = Decision.deny(DenyReason.METHOD_NOT_ALLOWED, "The route does not accept " + view.method())
            .withHeader("Allow", String.join(", ", match.allowedMethods()));
      } else if (config.defaultAllow()) {
        decision = new Decision.Allow(attributes.identity(), Headers.empty(), Headers.empty(), "", "");
      } else {
        decision = Decision.deny(DenyReason.NO_ROUTE, "No route matches " + view.method() + " " + view.path());
      }
      return done(finish(decision, view, null, attributes, requestId, start));
    }
    Route route = match.route();
    attributes.put(Attributes.ROUTE, route);
    CompletionStage<Decision> result;
    try {
      result = pipelines.get(route).run(view, attributes);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.handle((decision, failure) -> {
      Decision d = decision;
      if (failure != null) {
        d = failureDecision(failure);
      }
      return finish(d, view, route, attributes, requestId, start);
    });
  }

  /**
   * The response check of an allowed request, when its route validates responses ({@code
   * response-validation}); empty otherwise, and then the adapter passes the response on untouched.
   * {@code rawPath} is the request's path as received; {@code identity} and {@code requestId} are
   * the allowed request's, for the audit event of a violation.
   */
  public java.util.Optional<ResponseCheck> responseCheck(String method, String rawPath, Identity identity, String requestId) {
    if (responseChecks.isEmpty()) {
      return java.util.Optional.empty(); // the common case costs no route lookup
    }
    PathNormalizer.Result path = hygiene.normalisePath(rawPath);
    if (!path.ok()) {
      return java.util.Optional.empty();
    }
    RouteTable.Match match = routes.match(method, path.path());
    return match.found()
        ? responseChecks.forRoute(match.route(), method, path.path(), requestId, identity)
        : java.util.Optional.empty();
  }

  /**
   * Answers a request that the adapter's HTTP codec could not parse, from what it did parse: the
   * header checks' denial when one applies (such as Content-Length with Transfer-Encoding), else a
   * 400. Never allows; the adapter closes the connection after writing it.
   */
  public Decision.Deny refuseUnparsable(RequestView request) {
    long start = System.nanoTime();
    Decision.Deny deny = hygiene.checkHeaders(request.headers());
    if (deny == null) {
      deny = Decision.deny(DenyReason.BAD_REQUEST, "The request could not be parsed");
    }
    return (Decision.Deny) finish(deny, request, null, new Attributes(), requestId(request.headers()), start);
  }

  private static CompletionStage<Decision> done(Decision decision) {
    return CompletableFuture.completedFuture(decision);
  }

  private static Decision failureDecision(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String stage = cause instanceof Pipeline.StageFailure ? ((Pipeline.StageFailure) cause).stage : "pipeline";
    return Decision.deny(DenyReason.UNAVAILABLE, "The " + stage + " check could not complete")
        .withHeader("Retry-After", "1")
        .fromStage(stage);
  }

  private Decision finish(Decision decision, RequestView request, Route route, Attributes attributes,
      String requestId, long start) {
    Headers.Builder security = Headers.builder()
        .add("X-Request-ID", requestId)
        .add("X-Content-Type-Options", "nosniff");
    if (request.secure() && hsts != null) {
      security.add("Strict-Transport-Security", hsts);
    }
    Decision finished;
    if (decision instanceof Decision.Deny) {
      security.add("Cache-Control", "no-store");
      Decision.Deny deny = (Decision.Deny) decision;
      if (deny.reason().bearerError() != null) {
        String scheme = proofs.challenge(deny, route, request, attributes).orElse("Bearer realm=\"api\"");
        security.add("WWW-Authenticate", challenge(scheme, deny, route));
      }
      finished = deny.finish(requestId, security.build());
    } else {
      finished = ((Decision.Allow) decision).finish(requestId, security.build(), Headers.of("X-Request-ID", requestId));
    }
    if (!listeners.isEmpty()) {
      publish(finished, request, route, attributes, requestId, System.nanoTime() - start);
    }
    return finished;
  }

  private static String challenge(String scheme, Decision.Deny deny, Route route) {
    StringBuilder challenge = new StringBuilder(scheme);
    String error = deny.reason().bearerError();
    if (!error.isEmpty()) {
      challenge.append(", error=\"").append(error).append('"');
      challenge.append(", error_description=\"").append(challengeText(deny.detail())).append('"');
      if (deny.reason() == DenyReason.INSUFFICIENT_SCOPE && route != null && !route.scopes().isEmpty()) {
        challenge.append(", scope=\"").append(challengeText(String.join(" ", route.scopes()))).append('"');
      }
    }
    return challenge.toString();
  }

  /** Keeps only the characters RFC 6750 allows inside a quoted error_description. */
  private static String challengeText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length() && out.length() < 200; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : ' ');
    }
    return out.toString();
  }

  private void publish(Decision decision, RequestView request, Route route, Attributes attributes,
      String requestId, long latency) {
    Identity identity = attributes.identity();
    boolean deny = decision instanceof Decision.Deny;
    Decision.Deny d = deny ? (Decision.Deny) decision : null;
    Pipeline.ShadowDenials shadow = attributes.getOrNull(Pipeline.SHADOW);
    AuditEvent event = new AuditEvent(
        Instant.now(clock),
        requestId,
        request.method(),
        request.path(),
        route == null ? "" : route.name(),
        deny ? "deny" : "allow",
        decision.status(),
        deny ? d.reason().slug() : "",
        deny && d.stage() != null ? d.stage() : "",
        deny ? d.detail() : "",
        identity.principalName().orElse(""),
        identity.certificate().map(CertificateIdentity::sha256Thumbprint).orElse(""),
        identity.clientIp(),
        latency,
        shadow == null ? List.of() : List.copyOf(shadow.entries),
        auditHeaders(request.headers()),
        notes(attributes));
    for (DecisionListener listener : listeners) {
      try {
        listener.onDecision(event);
      } catch (RuntimeException ignored) {
        // a listener must never change or break a decision
      }
    }
  }

  private static List<String> notes(Attributes attributes) {
    String ignored = attributes.getOrNull(CertificateVerifier.IGNORED_FORWARDED_CERTIFICATE);
    String revocation = attributes.getOrNull(CertificateVerifier.REVOCATION_STATUS);
    boolean softFail = revocation != null && revocation.startsWith("soft-fail");
    if (ignored == null && !softFail) {
      return List.of();
    }
    List<String> notes = new ArrayList<>(2);
    if (ignored != null) {
      notes.add("ignored-forwarded-certificate:" + ignored);
    }
    if (softFail) {
      notes.add("ocsp:" + revocation);
    }
    return List.copyOf(notes);
  }

  private Map<String, String> auditHeaders(Headers headers) {
    List<String> names = config.audit().headers();
    if (names.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : names) {
      String value = headers.firstOrNull(name);
      if (value != null) {
        boolean secret = ALWAYS_REDACTED.contains(name) || config.audit().redactHeaders().contains(name);
        out.put(name, secret ? "[redacted]" : value);
      }
    }
    return out;
  }

  private static String requestId(Headers headers) {
    String given = headers.firstOrNull("x-request-id");
    if (given != null && REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex(random.nextLong()) + hex(random.nextLong());
  }

  private static String hex(long value) {
    String s = Long.toHexString(value);
    return "0".repeat(16 - s.length()) + s;
  }

  /** The health of the components this instance depends on (key sources), for readiness probes. */
  public Health health() {
    List<Health.Component> components = new ArrayList<>(tokens == null ? List.of() : tokens.health());
    components.addAll(rateLimiting.health());
    return new Health(components);
  }

  /** Releases key sources, caches and background refreshes. */
  @Override
  public void close() {
    if (tokens != null) {
      tokens.close();
    }
    rateLimiting.close();
    proofs.close();
  }

  /** Builds an {@link ApiSecurity}. Not thread-safe. */
  public static final class Builder {
    private final ApiSecurityConfig config;
    private Clock clock = Clock.systemUTC();
    private final List<DecisionListener> listeners = new ArrayList<>();
    private boolean auditToSystemLogger = true;
    private final List<Stage> customStages = new ArrayList<>();
    private RevocationList revocations;
    private BucketStore bucketStore;
    private ProofReplayCache proofReplayCache;
    private KeySetSnapshots keySetSnapshots;

    private Builder(ApiSecurityConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The clock for every time check, cache expiry and bucket refill (tests advance it). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Adds a listener of decisions, such as a metrics binding or an audit sink. */
    public Builder listener(DecisionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds an application-specific check that runs on every route after the built-in stages, under
     * the stage name {@code custom} (so {@code report-only: [custom]} applies to it).
     */
    public Builder stage(Stage stage) {
      customStages.add(Objects.requireNonNull(stage, "stage"));
      return this;
    }

    /** Whether the default audit log (System.Logger {@code io.apisec.audit}) is added; yes by default. */
    public Builder auditToSystemLogger(boolean enabled) {
      this.auditToSystemLogger = enabled;
      return this;
    }

    /** The {@code jti} deny list that verified tokens are checked against; none by default. */
    public Builder revocationList(RevocationList revocations) {
      this.revocations = Objects.requireNonNull(revocations, "revocations");
      return this;
    }

    /**
     * Persists each issuer's last good key set here instead of where {@code jwt.key-snapshots}
     * says; the application keeps ownership (apisec does not close it).
     */
    public Builder keySetSnapshots(KeySetSnapshots snapshots) {
      this.keySetSnapshots = Objects.requireNonNull(snapshots, "snapshots");
      return this;
    }

    /**
     * The store of rate-limit buckets, replacing the configured {@code store}; the caller keeps
     * ownership and closes it after this instance.
     */
    public Builder bucketStore(BucketStore store) {
      this.bucketStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The cache of DPoP proof ids, replacing the one on the configured store; the caller keeps
     * ownership and closes it after this instance.
     */
    public Builder proofReplayCache(ProofReplayCache cache) {
      this.proofReplayCache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    public ApiSecurity build() {
      if (auditToSystemLogger && config.audit().enabled()) {
        listeners.add(0, JsonLinesAuditLog.toSystemLogger());
      }
      return new ApiSecurity(this);
    }
  }
}
