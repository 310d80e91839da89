package io.apisec.config;

import io.apisec.AuthMode;
import io.apisec.Route;
import io.apisec.schema.OpenApiRoutes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the {@code openapi} section: one document (a mapping) or several (a list), each with the
 * settings every route generated from it receives. Routes listed under {@code routes} win over a
 * generated route of the same name ({@code METHOD /path}).
 *
 * <pre>
 * openapi:
 *   document: api.yaml       # relative to the configuration file
 *   base-path: /api          # prefix of every path, if the servers' URLs have one
 *   auth: jwt                # and scopes, strict, max-body, rate-limit, report-only,
 *                            # response-validation, as on a route
 * </pre>
 */
final class OpenApiSection {
  private OpenApiSection() {}

  static void read(ConfigNode section, Path base, ApiSecurityConfig.Builder builder) {
    List<ConfigNode> documents = section.isMap() ? List.of(section) : section.items();
    for (ConfigNode node : documents) {
      ConfigNode document = node.require("document");
      Path file = base == null ? Path.of(document.string()) : base.resolve(document.string());
      if (!Files.isRegularFile(file)) {
        throw document.error("OpenAPI document not found: " + file);
      }
      ConfigNode basePath = node.get("base-path");
      ConfigNode auth = node.get("auth");
      ConfigNode scopes = node.get("scopes");
      ConfigNode strict = node.get("strict");
      ConfigNode maxBody = node.get("max-body");
      ConfigNode rateLimits = node.get("rate-limit");
      ConfigNode reportOnly = node.get("report-only");
      ConfigNode responses = node.get("response-validation");
      node.rejectUnknownKeys();
      io.apisec.ResponseValidation responseMode = responses == null ? null : ResponseValidationSection.mode(responses);
      AuthMode mode = null;
      if (auth != null) {
        mode = AuthMode.fromConfigName(auth.text());
        if (mode == null) {
          throw auth.error("expected one of none, jwt, mtls, jwt+mtls, found '" + auth.text() + "'");
        }
      }
      AuthMode authMode = mode;
      boolean strictMode = strict != null && strict.bool();
      long bodyLimit = maxBody == null ? -1 : maxBody.size();
      List<String> scopeList = scopes == null ? List.of() : scopes.strings();
      List<String> limits = rateLimits == null ? List.of() : rateLimits.strings();
      List<String> reported = reportOnly == null ? List.of() : reportOnly.strings();
      List<Route> routes = document.convert(() -> OpenApiRoutes.read(file, basePath == null ? "" : basePath.string(), route -> {
        if (authMode != null) {
          route.auth(authMode);
        }
        route.scopes(scopeList.toArray(new String[0]));
        route.strictSchema(strictMode);
        if (bodyLimit >= 0) {
          route.maxBody(bodyLimit);
        }
        route.rateLimits(limits.toArray(new String[0]));
        route.reportOnly(reported.toArray(new String[0]));
        if (responseMode != null) {
          route.responseValidation(responseMode);
        }
      }));
      for (Route route : routes) {
        if (!builder.hasRoute(route.name())) {
          node.convert(() -> builder.route(route));
        }
      }
    }
  }
}
