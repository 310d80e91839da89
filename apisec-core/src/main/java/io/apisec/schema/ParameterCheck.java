package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates the path and query parameters of an OpenAPI operation against their schemas.
 *
 * <p>A parameter's text is read as the type its schema names before validation: {@code integer},
 * {@code number} and {@code boolean} become JSON numbers and booleans when they parse (else the
 * text stays a string and the {@code type} keyword refuses it); {@code array} parameters are
 * repeated query keys ({@code form} style, exploded, the default) or comma-separated values
 * ({@code explode: false}, and path parameters). Header and cookie parameters, {@code deepObject}
 * and {@code content}-described parameters are not checked. Path-level parameters apply unless the
 * operation redefines them. Immutable and thread-safe.
 */
final class ParameterCheck {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
  private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  private record Parameter(String in, String name, boolean required, JsonSchema schema, String type,
      String itemType, boolean explode, int segment) {}

  private final List<Parameter> parameters;
  private final boolean bodyRequired;
  private final boolean hasQuery;

  private ParameterCheck(List<Parameter> parameters, boolean bodyRequired) {
    this.parameters = List.copyOf(parameters);
    this.bodyRequired = bodyRequired;
    this.hasQuery = parameters.stream().anyMatch(p -> p.in().equals("query"));
  }

  /** Whether the operation's {@code requestBody} is {@code required}. */
  boolean bodyRequired() {
    return bodyRequired;
  }

  boolean isEmpty() {
    return parameters.isEmpty();
  }

  /**
   * Reads the operation {@code spec} ({@code FILE#/paths/~1orders~1{id}/post}) whose route template
   * is {@code routeTemplate} (the OpenAPI path, perhaps under a base path).
   */
  static ParameterCheck read(String spec, String routeTemplate, SchemaCompiler compiler) {
    int hash = spec.indexOf('#');
    URI uri = java.nio.file.Path.of(spec.substring(0, hash)).toAbsolutePath().toUri();
    String operationPointer = spec.substring(hash + 1);
    SchemaDocuments documents = compiler.documents();
    JsonNode root = documents.document(uri).node();
    JsonNode operation = root.at(operationPointer);
    if (!operation.isObject()) {
      throw new SchemaDocuments.SchemaException("operation '" + operationPointer + "' not found in " + uri);
    }
    String pathItemPointer = operationPointer.substring(0, operationPointer.lastIndexOf('/'));
    String template = unescape(pathItemPointer.substring(pathItemPointer.lastIndexOf('/') + 1));
    String[] openApiSegments = segments(template);
    int offset = segments(routeTemplate).length - openApiSegments.length;
    Map<String, Parameter> byKey = new java.util.LinkedHashMap<>();
    for (String pointer : new String[] {pathItemPointer, operationPointer}) {
      JsonNode list = root.at(pointer + "/parameters");
      for (int i = 0; i < list.size(); i++) {
        String parameterPointer = pointer + "/parameters/" + i;
        JsonNode parameter = list.get(i);
        int hops = 0;
        while (parameter.has("$ref")) {
          String ref = parameter.get("$ref").asText();
          if (!ref.startsWith("#/") || ++hops > 10) {
            throw new SchemaDocuments.SchemaException("parameter $ref '" + ref + "' must point into the same document");
          }
          parameterPointer = ref.substring(1);
          parameter = root.at(parameterPointer);
        }
        String in = parameter.path("in").asText();
        String name = parameter.path("name").asText();
        if (!(in.equals("path") || in.equals("query")) || !parameter.has("schema") || name.isEmpty()) {
          continue;
        }
        JsonNode schemaNode = parameter.get("schema");
        int refs = 0;
        while (schemaNode.has("$ref") && refs++ < 10) {
          schemaNode = documents.resolve(new SchemaDocuments.Located(schemaNode, uri), schemaNode.get("$ref").asText()).node();
        }
        String type = typeOf(schemaNode);
        String itemType = typeOf(schemaNode.path("items"));
        int segment = -1;
        if (in.equals("path")) {
          for (int s = 0; s < openApiSegments.length; s++) {
            if (openApiSegments[s].equals("{" + name + "}")) {
              segment = s + offset;
            }
          }
          if (segment < 0) {
            throw new SchemaDocuments.SchemaException("path parameter '" + name + "' is not in the path " + template);
          }
        }
        boolean explode = parameter.has("explode") ? parameter.get("explode").asBoolean() : in.equals("query");
        boolean required = in.equals("path") || parameter.path("required").asBoolean(false);
        byKey.put(in + ":" + name, new Parameter(in, name, required,
            compiler.compileAt(uri, parameterPointer + "/schema"), type, itemType, explode, segment));
      }
    }
    JsonNode body = operation.path("requestBody");
    int hops = 0;
    while (body.has("$ref") && body.get("$ref").asText().startsWith("#/") && hops++ < 10) {
      body = root.at(body.get("$ref").asText().substring(1));
    }
    return new ParameterCheck(new ArrayList<>(byKey.values()), body.path("required").asBoolean(false));
  }

  /** Adds a violation for each parameter that is missing or does not match its schema. */
  void check(String path, String rawQuery, Violations violations) {
    if (parameters.isEmpty()) {
      return;
    }
    String[] pathSegments = null;
    Map<String, List<String>> query = null;
    for (Parameter parameter : parameters) {
      List<String> values;
      if (parameter.in().equals("path")) {
        if (pathSegments == null) {
          pathSegments = segments(path);
        }
        values = parameter.segment() < pathSegments.length ? List.of(pathSegments[parameter.segment()]) : List.of();
      } else {
        if (query == null) {
          query = hasQuery ? parseQuery(rawQuery) : Map.of();
          if (query == null) {
            violations.addParameter("query", "*", "format", "the query string is not valid percent-encoded UTF-8");
            return;
          }
        }
        values = query.getOrDefault(parameter.name(), List.of());
      }
      if (values.isEmpty()) {
        if (parameter.required()) {
          violations.addParameter(parameter.in(), parameter.name(), "required", "the parameter is required");
        }
        continue;
      }
      JsonNode node = toNode(parameter, values);
      for (ValidationMessage message : parameter.schema().validate(node)) {
        violations.addParameter(parameter.in(), parameter.name(), message);
      }
    }
  }

  private static JsonNode toNode(Parameter parameter, List<String> values) {
    if ("array".equals(parameter.type())) {
      ArrayNode array = NODES.arrayNode();
      List<String> items = values;
      if (!parameter.explode() || parameter.in().equals("path")) {
        items = List.of(values.get(0).split(",", -1));
      }
      for (String item : items) {
        array.add(scalar(parameter.itemType(), item));
      }
      return array;
    }
    return scalar(parameter.type(), values.get(0));
  }

  private static JsonNode scalar(String type, String text) {
    if (type == null) {
      return NODES.textNode(text);
    }
    switch (type) {
      case "integer":
        if (text.length() <= 100 && INTEGER.matcher(text).matches()) {
          return text.length() < 19 ? NODES.numberNode(Long.parseLong(text)) : NODES.numberNode(new BigInteger(text));
        }
        break;
      case "number":
        if (text.length() <= 100 && NUMBER.matcher(text).matches()) {
          return NODES.numberNode(Double.parseDouble(text));
        }
        break;
      case "boolean":
        if (text.equals("true") || text.equals("false")) {
          return NODES.booleanNode(text.equals("true"));
        }
        break;
      default:
        break;
    }
    return NODES.textNode(text);
  }

  private Map<String, List<String>> parseQuery(String rawQuery) {
    Map<String, List<String>> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    try {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        if (!known(name)) {
          continue;
        }
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return out;
  }

  private boolean known(String name) {
    for (Parameter parameter : parameters) {
      if (parameter.in().equals("query") && parameter.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static String typeOf(JsonNode schema) {
    JsonNode type = schema.path("type");
    if (type.isTextual()) {
      return type.textValue();
    }
    for (JsonNode t : type) {
      if (t.isTextual() && !t.textValue().equals("null")) {
        return t.textValue();
      }
    }
    return null;
  }

  static String[] segments(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.equals("/") || trimmed.isEmpty() ? new String[0] : trimmed.substring(1).split("/", -1);
  }

  static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
