package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The responses an OpenAPI operation declares, compiled at start, and the check of one actual
 * response against them.
 *
 * <p>The declaration for a status is the exact code's ({@code 200}), else its range's ({@code
 * 2XX}), else {@code default}; a status with none is a violation. Within it, the response's media
 * type must be one the contract lists (wildcards such as {@code application/*} and {@code *}{@code
 * /*} included). A JSON body with a schema is parsed within the payload limits and validated in
 * strict mode: a property the schema does not declare is a violation even where the schema
 * forgot {@code additionalProperties: false}, which is how data leaks are caught. Other media
 * types are only type-checked. A body the contract does not declare (a {@code 204}) and a missing
 * body the contract declares are violations, except for {@code HEAD} requests and {@code 304}. A
 * {@code Content-Encoding} other than {@code identity} cannot be read and is a violation.
 *
 * <p>Immutable and thread-safe. Reports never quote the body: they name JSON pointers and
 * keywords, and messages are cut and redacted as for requests ({@link Violations}).
 */
public final class ResponseContract {
  /** One status's declaration: its media types and, per JSON type, the compiled schema. */
  private record Declared(List<String> types, boolean anyType, Map<String, SchemaCompiler.Compiled> schemas) {
    boolean hasContent() {
      return anyType || !types.isEmpty();
    }
  }

  /** The outcome of one check: no violation, or the first {@code maxErrors} of {@code total}. */
  public record Report(int total, List<Map<String, Object>> violations) {
    static final Report VALID = new Report(0, List.of());

    public boolean valid() {
      return total == 0;
    }
  }

  private final Map<Integer, Declared> exact;
  private final Map<Integer, Declared> ranges;
  private final Declared fallback;
  private final JsonBodyParser parser;
  private final int maxErrors;
  private final Set<String> redact;

  private ResponseContract(Map<Integer, Declared> exact, Map<Integer, Declared> ranges, Declared fallback,
      JsonBodyParser parser, int maxErrors, Set<String> redact) {
    this.exact = Map.copyOf(exact);
    this.ranges = Map.copyOf(ranges);
    this.fallback = fallback;
    this.parser = parser;
    this.maxErrors = maxErrors;
    this.redact = redact;
  }

  /** Reads the {@code responses} of the operation {@code spec} ({@code FILE#/paths/~1orders/get}). */
  static ResponseContract read(String spec, SchemaCompiler compiler, JsonBodyParser parser, int maxErrors, Set<String> redact) {
    int hash = spec.indexOf('#');
    String file = java.nio.file.Path.of(spec.substring(0, hash)).toAbsolutePath().toString();
    URI uri = java.nio.file.Path.of(file).toUri();
    String operationPointer = spec.substring(hash + 1);
    JsonNode root = compiler.documents().document(uri).node();
    JsonNode operation = root.at(operationPointer);
    if (!operation.isObject()) {
      throw new SchemaDocuments.SchemaException("operation '" + operationPointer + "' not found in " + uri);
    }
    JsonNode responses = operation.path("responses");
    if (!responses.isObject() || responses.isEmpty()) {
      throw new SchemaDocuments.SchemaException("operation '" + operationPointer + "' declares no responses");
    }
    Map<Integer, Declared> exact = new HashMap<>();
    Map<Integer, Declared> ranges = new HashMap<>();
    Declared fallback = null;
    for (Map.Entry<String, JsonNode> entry : responses.properties()) {
      String key = entry.getKey();
      if (key.startsWith("x-")) {
        continue; // a specification extension, not a status
      }
      String pointer = operationPointer + "/responses/" + OpenApiRoutes.escape(key);
      JsonNode response = entry.getValue();
      for (int hops = 0; response.has("$ref"); hops++) {
        String ref = response.get("$ref").asText();
        if (!ref.startsWith("#/") || hops >= 10) {
          throw new SchemaDocuments.SchemaException("response $ref '" + ref + "' must point into the same document");
        }
        pointer = ref.substring(1);
        response = root.at(pointer);
      }
      Declared declared = declared(file, pointer, response, compiler);
      String upper = key.toUpperCase(Locale.ROOT);
      if (upper.equals("DEFAULT")) {
        fallback = declared;
      } else if (upper.matches("[1-5]XX")) {
        ranges.put(upper.charAt(0) - '0', declared);
      } else if (key.matches("[1-5][0-9][0-9]")) {
        exact.put(Integer.parseInt(key), declared);
      } else {
        throw new SchemaDocuments.SchemaException("response key '" + key + "' of '" + operationPointer
            + "' is not a status code, a range such as 2XX, or default");
      }
    }
    return new ResponseContract(exact, ranges, fallback, parser, maxErrors, redact);
  }

  private static Declared declared(String file, String pointer, JsonNode response, SchemaCompiler compiler) {
    List<String> types = new ArrayList<>();
    boolean anyType = false;
    Map<String, SchemaCompiler.Compiled> schemas = new HashMap<>();
    for (Map.Entry<String, JsonNode> media : response.path("content").properties()) {
      String type = MediaTypes.mediaType(media.getKey());
      if (type.equals("*/*")) {
        anyType = true;
      } else {
        types.add(type);
      }
      if (media.getValue().has("schema") && (MediaTypes.isJson(type) || type.equals("*/*"))) {
        String at = file + "#" + pointer + "/content/" + OpenApiRoutes.escape(media.getKey()) + "/schema";
        schemas.put(type, compiler.compile(at, true));
      }
    }
    return new Declared(List.copyOf(types), anyType, Map.copyOf(schemas));
  }

  /**
   * Checks one response: its status, its {@code Content-Type} and {@code Content-Encoding} header
   * values (null when absent) and its whole body, to a request made with {@code method}.
   */
  public Report check(String method, int status, String contentType, String contentEncoding, byte[] body) {
    Violations violations = new Violations(maxErrors, redact);
    Declared declared = exact.get(status);
    if (declared == null) {
      declared = ranges.get(status / 100);
    }
    if (declared == null) {
      declared = fallback;
    }
    if (declared == null) {
      violations.add("", "status", "status " + status + " is not declared in the contract");
      return report(violations);
    }
    boolean noBody = body.length == 0;
    if (method.equals("HEAD") || status == 304 || noBody && !declared.hasContent()) {
      return Report.VALID;
    }
    if (noBody) {
      violations.add("", "content", "the response has no body but the contract declares one for status " + status);
      return report(violations);
    }
    if (!declared.hasContent()) {
      violations.add("", "content", "the contract declares no body for status " + status);
      return report(violations);
    }
    if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.trim().equalsIgnoreCase("identity")) {
      violations.add("", "content-encoding", "an encoded body ('" + Violations.shorten(contentEncoding, 40)
          + "') cannot be validated");
      return report(violations);
    }
    String media = MediaTypes.mediaType(contentType);
    String matched = match(declared, media);
    if (matched == null) {
      violations.add("", "content-type", media.isEmpty() ? "the response has no Content-Type"
          : "Content-Type '" + Violations.shorten(media, 80) + "' is not declared for status " + status);
      return report(violations);
    }
    SchemaCompiler.Compiled compiled = declared.schemas().get(matched);
    if (compiled == null || !MediaTypes.isJson(media)) {
      return Report.VALID;
    }
    String charset = new MediaTypes(List.of(media)).refusal(contentType);
    if (charset != null) {
      violations.add("", "content-type", charset);
      return report(violations);
    }
    JsonBodyParser.Result parsed = parser.parse(body);
    if (!parsed.ok()) {
      violations.add("", "malformed", parsed.refusal());
      return report(violations);
    }
    JsonNode tree = parsed.tree();
    JsonSchema schema = compiled.schema();
    for (ValidationMessage message : schema.validate(tree)) {
      violations.add(message);
    }
    compiled.shape().check(tree, violations);
    return report(violations);
  }

  /** The declared type {@code media} falls under: itself, else the first wildcard that finds it. */
  private static String match(Declared declared, String media) {
    if (media.isEmpty()) {
      return null;
    }
    if (declared.types().contains(media)) {
      return media;
    }
    for (String type : declared.types()) {
      if (type.contains("*") && new MediaTypes(List.of(type)).refusal(media) == null) {
        return type;
      }
    }
    return declared.anyType() ? "*/*" : null;
  }

  private static Report report(Violations violations) {
    return violations.isEmpty() ? Report.VALID : new Report(violations.total(), violations.entries());
  }
}
