package io.apisec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One protected resource: a method set and a path template ({@code /v1/orders/{id}}, a trailing
 * {@code /**} for a subtree) with the checks its requests must pass. Immutable; build it with
 * {@link #builder(String)}.
 */
public final class Route {
  private final String name;
  private final Set<String> methods;
  private final String pathTemplate;
  private final AuthMode auth;
  private final Set<String> scopes;
  private final Map<String, List<String>> requiredClaims;
  private final List<String> certificateAllow;
  private final String schema;
  private final boolean strictSchema;
  private final long maxBody;
  private final List<String> contentTypes;
  private final List<String> rateLimits;
  private final Set<String> reportOnly;
  private final String operation;
  private final io.apisec.dpop.DpopMode dpop;
  private final ResponseValidation responseValidation;

  private Route(Builder b) {
    this.name = b.name;
    this.methods = Set.copyOf(b.methods);
    this.pathTemplate = b.pathTemplate;
    this.auth = b.auth;
    this.scopes = Set.copyOf(b.scopes);
    this.requiredClaims = Map.copyOf(b.requiredClaims);
    this.certificateAllow = List.copyOf(b.certificateAllow);
    this.schema = b.schema;
    this.strictSchema = b.strictSchema;
    this.maxBody = b.maxBody;
    this.contentTypes = List.copyOf(b.contentTypes);
    this.rateLimits = List.copyOf(b.rateLimits);
    this.reportOnly = Set.copyOf(b.reportOnly);
    this.operation = b.operation;
    this.dpop = b.dpop;
    this.responseValidation = b.responseValidation;
  }

  /**
   * Starts a route from a match expression: {@code "POST /v1/orders"}, {@code "GET,HEAD /items/{id}"}
   * or a bare path for any method.
   */
  public static Builder builder(String match) {
    return new Builder(match);
  }

  /** The route's name: given, or its match expression. */
  public String name() {
    return name;
  }

  /** The methods it matches; empty means any. */
  public Set<String> methods() {
    return methods;
  }

  public String pathTemplate() {
    return pathTemplate;
  }

  public AuthMode auth() {
    return auth;
  }

  public Set<String> scopes() {
    return scopes;
  }

  /** Claims that must hold one of the listed values. */
  public Map<String, List<String>> requiredClaims() {
    return requiredClaims;
  }

  /**
   * Certificate identities allowed on this route: subject DN patterns ({@code CN=orders-*,O=Acme}),
   * {@code dns:}, {@code uri:}, {@code email:} SAN values, {@code spiffe://} IDs or trust domains
   * ({@code spiffe://example.org/*}). Empty allows any verified certificate.
   */
  public List<String> certificateAllow() {
    return certificateAllow;
  }

  /**
   * The JSON Schema for the body: a file path (optionally with a {@code #} JSON pointer into a JSON
   * or YAML file), or inline JSON when it starts with '{'.
   */
  public Optional<String> schema() {
    return Optional.ofNullable(schema);
  }

  /** Whether properties the schema does not declare are refused. */
  public boolean strictSchema() {
    return strictSchema;
  }

  /** Maximum body size in bytes, or -1 for the configuration-wide default. */
  public long maxBody() {
    return maxBody;
  }

  /** Accepted media types; empty accepts any when no schema is set, JSON when one is. */
  public List<String> contentTypes() {
    return contentTypes;
  }

  /** Names of the rate-limit policies that apply, all of which must admit. */
  public List<String> rateLimits() {
    return rateLimits;
  }

  /** Stages whose denials are only reported, not enforced, on this route ({@code *} for all). */
  public Set<String> reportOnly() {
    return reportOnly;
  }

  /**
   * The OpenAPI operation this route stands for, as {@code FILE#/paths/~1orders~1{id}/post}: its
   * path and query parameters are validated, and it says whether a body is required.
   */
  public Optional<String> operation() {
    return Optional.ofNullable(operation);
  }

  /** Whether DPoP-bound tokens are required, allowed or refused here; empty for the {@code dpop.mode} default. */
  public Optional<io.apisec.dpop.DpopMode> dpop() {
    return Optional.ofNullable(dpop);
  }

  /**
   * How responses are checked against the {@link #operation()}'s response schemas; empty for the
   * configuration-wide default ({@code response-validation.mode}).
   */
  public Optional<ResponseValidation> responseValidation() {
    return Optional.ofNullable(responseValidation);
  }

  @Override
  public String toString() {
    return "Route[" + name + ']';
  }

  /** Collects a route's settings; every setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private String name;
    private final Set<String> methods = new LinkedHashSet<>();
    private final String pathTemplate;
    private AuthMode auth = AuthMode.JWT;
    private final Set<String> scopes = new LinkedHashSet<>();
    private final Map<String, List<String>> requiredClaims = new LinkedHashMap<>();
    private final List<String> certificateAllow = new ArrayList<>();
    private String schema;
    private boolean strictSchema;
    private long maxBody = -1;
    private final List<String> contentTypes = new ArrayList<>();
    private final List<String> rateLimits = new ArrayList<>();
    private final Set<String> reportOnly = new LinkedHashSet<>();
    private String operation;
    private io.apisec.dpop.DpopMode dpop;
    private ResponseValidation responseValidation;

    private Builder(String match) {
      Objects.requireNonNull(match, "match");
      String trimmed = match.trim();
      int space = trimmed.indexOf(' ');
      String path = trimmed;
      if (space > 0) {
        for (String method : trimmed.substring(0, space).split(",")) {
          String m = method.trim().toUpperCase(Locale.ROOT);
          if (!m.matches("[A-Z]+")) {
            throw new IllegalArgumentException("Invalid method '" + method + "' in route match '" + match + "'");
          }
          methods.add(m);
        }
        path = trimmed.substring(space + 1).trim();
      }
      RouteTable.validateTemplate(path, match);
      this.pathTemplate = path;
      this.name = trimmed;
    }

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public Builder auth(AuthMode auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    public Builder scopes(String... scopes) {
      for (String scope : scopes) {
        if (scope.isBlank() || scope.contains(" ")) {
          throw new IllegalArgumentException("Invalid scope '" + scope + "' on route " + name);
        }
        this.scopes.add(scope);
      }
      return this;
    }

    public Builder requireClaim(String claim, String... acceptedValues) {
      if (acceptedValues.length == 0) {
        throw new IllegalArgumentException("Claim '" + claim + "' on route " + name + " needs at least one value");
      }
      requiredClaims.put(claim, List.of(acceptedValues));
      return this;
    }

    public Builder allowCertificate(String pattern) {
      if (pattern == null || pattern.isBlank()) {
        throw new IllegalArgumentException("Empty certificate pattern on route " + name);
      }
      certificateAllow.add(pattern);
      return this;
    }

    public Builder schema(String fileOrInlineJson) {
      this.schema = Objects.requireNonNull(fileOrInlineJson, "schema");
      return this;
    }

    /** The DPoP mode of this route (RFC 9449), overriding {@code dpop.mode}. */
    public Builder dpop(io.apisec.dpop.DpopMode mode) {
      this.dpop = Objects.requireNonNull(mode, "dpop");
      return this;
    }

    /** The OpenAPI operation ({@code FILE#/paths/...}) whose parameters this route validates. */
    public Builder operation(String fileAndPointer) {
      if (!Objects.requireNonNull(fileAndPointer, "operation").contains("#/paths/")) {
        throw new IllegalArgumentException("operation on route " + name + " must be FILE#/paths/...: '" + fileAndPointer + "'");
      }
      this.operation = fileAndPointer;
      return this;
    }

    /** Checks responses against the operation's response schemas; needs {@link #operation(String)}. */
    public Builder responseValidation(ResponseValidation mode) {
      this.responseValidation = Objects.requireNonNull(mode, "responseValidation");
      return this;
    }

    public Builder strictSchema(boolean strict) {
      this.strictSchema = strict;
      return this;
    }

    public Builder maxBody(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("max-body must not be negative on route " + name + ": " + bytes);
      }
      this.maxBody = bytes;
      return this;
    }

    public Builder contentTypes(String... mediaTypes) {
      for (String type : mediaTypes) {
        if (!type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+")) {
          throw new IllegalArgumentException("Invalid media type '" + type + "' on route " + name);
        }
        contentTypes.add(type.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    public Builder rateLimits(String... policyNames) {
      for (String policy : policyNames) {
        this.rateLimits.add(Objects.requireNonNull(policy, "policy"));
      }
      return this;
    }

    /** Reports, without enforcing, the denials of the named stages ({@code *} for every stage). */
    public Builder reportOnly(String... stageNames) {
      for (String stage : stageNames) {
        if (!ApiSecurity.STAGE_NAMES.contains(stage) && !stage.equals("*")) {
          throw new IllegalArgumentException(
              "Unknown stage '" + stage + "' in report-only on route " + name + "; known: " + ApiSecurity.STAGE_NAMES);
        }
        reportOnly.add(stage);
      }
      return this;
    }

    public Route build() {
      return new Route(this);
    }
  }
}
