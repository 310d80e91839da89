package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.apisec.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the operations of an OpenAPI 3.0 or 3.1 document as {@link Route}s, so that a team can
 * point apisec at the description it already has. Each operation becomes a route {@code METHOD
 * template} whose body schema is its {@code requestBody.content["application/json"].schema} (else
 * the first {@code +json} type's), whose content types are the request body's media types, and
 * whose path and query parameters are validated against their schemas ({@link
 * Route#operation()}). {@code components} references resolve inside the document; OpenAPI 3.0
 * schemas are read in the 3.0 dialect ({@code nullable}, boolean {@code exclusiveMinimum}), 3.1
 * schemas in 3.1's. Path variables whose names a route template cannot hold ({@code {order-id}})
 * are renamed ({@code {order_id}}); only the template changes, parameters keep their names.
 *
 * <p>Stateless and thread-safe. A document that cannot be read fails with an
 * IllegalArgumentException naming it and the path at fault.
 */
public final class OpenApiRoutes {
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private OpenApiRoutes() {}

  /**
   * The routes of {@code document}, each under {@code basePath} ({@code ""} or such as {@code
   * /api}), with {@code defaults} applied to each builder last (auth, scopes, strict, max-body...).
   */
  public static List<Route> read(Path document, String basePath, Consumer<Route.Builder> defaults) {
    Path file = document.toAbsolutePath();
    JsonNode root;
    try {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      byte[] bytes = Files.readAllBytes(file);
      root = (name.endsWith(".yaml") || name.endsWith(".yml") ? SchemaDocuments.YAML : SchemaDocuments.JSON).readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read OpenAPI document " + file + ": " + e.getMessage());
    }
    String version = root.path("openapi").asText("");
    if (!version.startsWith("3.0") && !version.startsWith("3.1")) {
      throw new IllegalArgumentException(file + " is not an OpenAPI 3.0 or 3.1 document (openapi: '" + version + "')");
    }
    String prefix = basePath == null || basePath.equals("/") ? "" : basePath.endsWith("/")
        ? basePath.substring(0, basePath.length() - 1) : basePath;
    List<Route> routes = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
      String template = path.getKey();
      if (!template.startsWith("/")) {
        throw new IllegalArgumentException(file + ": path '" + template + "' must start with '/'");
      }
      String pathPointer = "/paths/" + escape(template);
      for (String method : METHODS) {
        JsonNode operation = path.getValue().get(method);
        if (operation == null || !operation.isObject()) {
          continue;
        }
        String operationPointer = pathPointer + "/" + method;
        Route.Builder route;
        try {
          route = Route.builder(method.toUpperCase(Locale.ROOT) + " " + prefix + routeTemplate(template));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": path '" + template + "' cannot be a route: " + e.getMessage());
        }
        route.operation(file + "#" + operationPointer);
        String bodyPointer = operationPointer + "/requestBody";
        JsonNode body = operation.path("requestBody");
        for (int hops = 0; body.has("$ref") && hops < 10; hops++) {
          String ref = body.get("$ref").asText();
          if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException(file + ": requestBody $ref '" + ref + "' must point into the document");
          }
          bodyPointer = ref.substring(1);
          body = root.at(bodyPointer);
        }
        JsonNode content = body.path("content");
        String json = null;
        List<String> types = new ArrayList<>();
        boolean anyType = false;
        for (Map.Entry<String, JsonNode> media : content.properties()) {
          String type = media.getKey().toLowerCase(Locale.ROOT);
          int semicolon = type.indexOf(';');
          type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
          if (type.startsWith("*/")) {
            anyType = true;
            continue;
          }
          types.add(type);
          if (media.getValue().has("schema") && (type.equals("application/json")
              || json == null && MediaTypes.isJson(type) && !type.contains("*"))) {
            json = media.getKey();
          }
        }
        if (!anyType && !types.isEmpty()) {
          route.contentTypes(types.toArray(new String[0]));
        }
        if (json != null) {
          route.schema(file + "#" + bodyPointer + "/content/" + escape(json) + "/schema");
        }
        defaults.accept(route);
        if (json == null) {
          route.strictSchema(false); // a default for the document; an operation without a JSON body has nothing to be strict about
        }
        routes.add(route.build());
      }
    }
    return routes;
  }

  private static String routeTemplate(String template) {
    StringBuilder out = new StringBuilder();
    for (String segment : template.substring(1).split("/", -1)) {
      out.append('/');
      if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")) {
        String name = segment.substring(1, segment.length() - 1).replaceAll("[^A-Za-z0-9_]", "_");
        out.append('{').append(Character.isDigit(name.charAt(0)) ? "_" + name : name).append('}');
      } else {
        out.append(segment);
      }
    }
    String result = out.toString();
    return result.length() > 1 && result.endsWith("/") ? result.substring(0, result.length() - 1) : result;
  }

  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
