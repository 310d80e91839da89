package io.apisec.schema;

import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the payload stage of each route of one configuration, compiling every schema once and
 * sharing the documents they load. {@link io.apisec.ApiSecurity} uses it while it is built; it is
 * public only because it lives in this package, not for applications.
 *
 * <p>Not thread-safe (start-up only); the stages it returns are thread-safe. A schema that cannot
 * be read or compiled fails with a {@link ConfigException} naming the route's key.
 */
public final class PayloadStages {
  private final ApiSecurityConfig config;
  private final SchemaCompiler compiler;
  private final JsonBodyParser parser;
  private final Set<String> redact;

  public PayloadStages(ApiSecurityConfig config) {
    this.config = config;
    ApiSecurityConfig.Payload payload = config.payload();
    this.compiler = new SchemaCompiler(payload.defaultDraft());
    this.parser = new JsonBodyParser(payload);
    Set<String> words = new HashSet<>();
    for (String word : ApiSecurityConfig.Payload.DEFAULT_REDACT) {
      words.add(Violations.normalise(word));
    }
    for (String word : payload.redact()) {
      words.add(Violations.normalise(word));
    }
    this.redact = Set.copyOf(words);
  }

  /**
   * The payload stage of {@code route}. Every route has one: even without a schema it enforces the
   * body limit (the route's, else {@code limits.max-body}) and any content types it lists.
   */
  public Stage forRoute(Route route) {
    long maxBody = route.maxBody() >= 0 ? route.maxBody() : config.limits().maxBody();
    SchemaCompiler.Compiled compiled = null;
    String key = "routes." + route.name();
    if (route.schema().isPresent()) {
      try {
        compiled = compiler.compile(route.schema().get(), route.strictSchema());
      } catch (SchemaDocuments.SchemaException e) {
        throw new ConfigException(key + ".schema", e.getMessage());
      }
    } else if (route.strictSchema()) {
      throw new ConfigException(key + ".strict", "strict mode needs a schema");
    }
    ParameterCheck parameters = null;
    if (route.operation().isPresent()) {
      try {
        parameters = ParameterCheck.read(route.operation().get(), route.pathTemplate(), compiler);
      } catch (SchemaDocuments.SchemaException e) {
        throw new ConfigException(key + ".operation", e.getMessage());
      }
    }
    List<String> types = route.contentTypes();
    MediaTypes mediaTypes = !types.isEmpty() ? new MediaTypes(types) : compiled != null ? new MediaTypes(MediaTypes.JSON) : null;
    Boolean bodyRequired = parameters != null ? Boolean.valueOf(parameters.bodyRequired()) : null;
    ApiSecurityConfig.Payload payload = config.payload();
    return new PayloadStage(maxBody, mediaTypes,
        compiled == null ? null : compiled.schema(),
        compiled == null ? null : compiled.shape(),
        parameters == null || parameters.isEmpty() ? null : parameters,
        bodyRequired, parser, payload.maxErrors(), redact);
  }

  /**
   * The response contract of {@code route}: the response schemas of its OpenAPI operation,
   * compiled now. Fails with a ConfigException naming the route's {@code response-validation} key
   * when the route has no operation or the operation's responses cannot be compiled.
   */
  public ResponseContract responseContract(Route route) {
    String key = "routes." + route.name() + ".response-validation";
    if (route.operation().isEmpty()) {
      throw new ConfigException(key, "response validation needs an OpenAPI operation (openapi, or operation on the route)");
    }
    try {
      return ResponseContract.read(route.operation().get(), compiler, parser, config.payload().maxErrors(), redact);
    } catch (SchemaDocuments.SchemaException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }
}
