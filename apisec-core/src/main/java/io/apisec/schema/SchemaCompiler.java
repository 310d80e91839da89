package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.oas.OpenApi30;
import com.networknt.schema.oas.OpenApi31;
import com.networknt.schema.resource.AllowSchemaLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles the schemas of a configuration once, at start: a file (JSON or YAML, optionally with a
 * {@code #} JSON pointer into it) or inline JSON. The draft is the one the document's {@code
 * $schema} names, else the configured default; inside an OpenAPI document it is the OpenAPI 3.0
 * dialect (with {@code nullable}) or 3.1's. {@code $ref}s to local files resolve against the
 * referring file; nothing is fetched from the network. Formats are asserted.
 *
 * <p>Used from one thread at start; the schemas it returns are thread-safe.
 */
final class SchemaCompiler {
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .formatAssertionsEnabled(true)
      .pathType(PathType.JSON_POINTER)
      .regularExpressionFactory(ReusedMatcherRegularExpressions.INSTANCE)
      .build();

  // every dialect a document may name in $schema, so each asserts formats the same way
  private static final List<JsonMetaSchema> DIALECTS = Stream.of(JsonMetaSchema.getV4(), JsonMetaSchema.getV6(),
      JsonMetaSchema.getV7(), JsonMetaSchema.getV201909(), JsonMetaSchema.getV202012(),
      OpenApi30.getInstance(), OpenApi31.getInstance()).map(SchemaCompiler::withOurFormats).toList();

  private final String defaultDraft;
  private final Map<String, JsonSchemaFactory> factories = new HashMap<>();
  private final SchemaDocuments documents = new SchemaDocuments();
  private final StrictShape.Compiler strict = new StrictShape.Compiler(documents);
  private int inline;

  /** A compiled schema with, in strict mode, its declared-properties shape. */
  record Compiled(JsonSchema schema, StrictShape shape) {}

  SchemaCompiler(String defaultDraft) {
    this.defaultDraft = defaultDraft;
  }

  SchemaDocuments documents() {
    return documents;
  }

  Compiled compile(String spec, boolean strictMode) {
    if (spec.startsWith("{")) {
      JsonNode tree;
      try {
        tree = SchemaDocuments.JSON.readTree(spec);
      } catch (IOException e) {
        throw new SchemaDocuments.SchemaException("inline schema is not valid JSON");
      }
      // a distinct base per inline schema, so their internal references never meet
      URI base = Path.of("").toAbsolutePath().resolve("inline-schema-" + (++inline) + ".json").toUri();
      documents.register(base, tree);
      JsonSchema schema = load(() ->
          factory(defaultDraft).getSchema(SchemaLocation.of(base.toString()), tree, CONFIG));
      return new Compiled(schema, strictMode ? strict.compile(documents.document(base)) : null);
    }
    int hash = spec.indexOf('#');
    Path file = Path.of(hash < 0 ? spec : spec.substring(0, hash)).toAbsolutePath();
    String fragment = hash < 0 ? null : spec.substring(hash + 1);
    URI uri = file.toUri();
    SchemaDocuments.Located root = documents.document(uri);
    JsonSchemaFactory factory = factory(dialectOf(root.node()));
    String location = fragment == null ? uri.toString() : uri + "#" + fragment;
    JsonSchema schema = load(() -> factory.getSchema(SchemaLocation.of(location), CONFIG));
    StrictShape shape = null;
    if (strictMode) {
      shape = strict.compile(fragment == null ? root : documents.resolve(root, "#" + fragment));
    }
    return new Compiled(schema, shape);
  }

  /** The schema at {@code pointer} of the document {@code uri} (parameters of OpenAPI operations). */
  JsonSchema compileAt(URI uri, String pointer) {
    SchemaDocuments.Located root = documents.document(uri);
    JsonSchemaFactory factory = factory(dialectOf(root.node()));
    return load(() -> factory.getSchema(SchemaLocation.of(uri + "#" + pointer), CONFIG));
  }

  private static JsonSchema load(java.util.function.Supplier<JsonSchema> loading) {
    try {
      JsonSchema schema = loading.get();
      schema.initializeValidators(); // resolves every $ref now, so a broken one fails at start
      return schema;
    } catch (SchemaDocuments.SchemaException e) {
      throw e;
    } catch (RuntimeException e) {
      String message = e.getMessage();
      Throwable cause = e.getCause();
      if (cause != null && cause.getMessage() != null) {
        message = message + " (" + cause.getMessage() + ")";
      }
      throw new SchemaDocuments.SchemaException("the schema does not compile: " + message);
    }
  }

  private String dialectOf(JsonNode root) {
    JsonNode openapi = root.get("openapi");
    if (openapi != null && openapi.isTextual()) {
      if (openapi.textValue().startsWith("3.0")) {
        return "oas30";
      }
      if (openapi.textValue().startsWith("3.1")) {
        return "oas31";
      }
      throw new SchemaDocuments.SchemaException("unsupported OpenAPI version '" + openapi.textValue() + "'");
    }
    return defaultDraft;
  }

  /** {@code dialect} with the formats that answer usual values before asking networknt's. */
  private static JsonMetaSchema withOurFormats(JsonMetaSchema dialect) {
    return JsonMetaSchema.builder(dialect).format(DotAtomEmailFormat.INSTANCE).format(PlainUriFormat.INSTANCE).build();
  }

  private JsonSchemaFactory factory(String dialect) {
    return factories.computeIfAbsent(dialect, d -> {
      SpecVersion.VersionFlag flag = switch (d) {
        case "4", "oas30" -> SpecVersion.VersionFlag.V4;
        case "6" -> SpecVersion.VersionFlag.V6;
        case "7" -> SpecVersion.VersionFlag.V7;
        case "2019-09" -> SpecVersion.VersionFlag.V201909;
        default -> SpecVersion.VersionFlag.V202012;
      };
      JsonMetaSchema openApi = d.equals("oas30") ? OpenApi30.getInstance() : d.equals("oas31") ? OpenApi31.getInstance() : null;
      return JsonSchemaFactory.getInstance(flag, builder -> {
        // only local files and the validator's own meta-schemas: a schema never makes us fetch a URL
        builder.schemaLoaders(loaders -> loaders.values(list -> list.add(0, new AllowSchemaLoader(iri -> {
          String s = iri.toString();
          return s.startsWith("file:") || s.startsWith("classpath:");
        }))));
        for (JsonMetaSchema metaSchema : DIALECTS) {
          builder.metaSchema(metaSchema);
        }
        if (openApi != null) {
          builder.defaultMetaSchemaIri(openApi.getIri());
        }
      });
    });
  }
}
