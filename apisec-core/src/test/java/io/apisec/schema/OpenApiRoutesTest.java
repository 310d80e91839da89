package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.evaluate;
import static io.apisec.schema.PayloadFixture.problem;
import static io.apisec.schema.PayloadFixture.security;
import static io.apisec.schema.PayloadFixture.send;
import static io.apisec.schema.PayloadFixture.slug;
import static io.apisec.schema.PayloadFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.RequestView;
import io.apisec.Route;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiRoutesTest {
  private static final String OPENAPI_30 = """
      openapi: 3.0.3
      info: {title: orders, version: '1'}
      paths:
        /orders:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Order'}
          get:
            parameters:
              - {$ref: '#/components/parameters/Limit'}
              - name: status
                in: query
                schema: {type: string, enum: [open, closed]}
              - name: tag
                in: query
                schema: {type: array, items: {type: integer}}
        /orders/{order-id}:
          parameters:
            - name: order-id
              in: path
              required: true
              schema: {type: integer, minimum: 1}
          get: {}
          patch:
            requestBody:
              content:
                application/merge-patch+json:
                  schema: {$ref: '#/components/schemas/Order'}
      components:
        parameters:
          Limit:
            name: limit
            in: query
            required: true
            schema: {type: integer, maximum: 100}
        schemas:
          Order:
            type: object
            required: [item]
            properties:
              item: {type: string}
              note: {type: string, nullable: true}
              quantity: {type: integer, minimum: 0, exclusiveMinimum: true}
              customer: {$ref: '#/components/schemas/Customer'}
          Customer:
            type: object
            properties:
              email: {type: string, format: email}
      """;

  private static final String OPENAPI_31 = """
      {"openapi": "3.1.0", "info": {"title": "users", "version": "1"},
       "paths": {
         "/users/{id}": {
           "put": {
             "parameters": [
               {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
               {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}
             ],
             "requestBody": {"$ref": "#/components/requestBodies/User"}
           }
         }
       },
       "components": {
         "requestBodies": {
           "User": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}}
         },
         "schemas": {
           "User": {"type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "nickname": {"type": ["string", "null"]},
                                   "age": {"type": "integer", "exclusiveMinimum": 0}}}
         }
       }}
      """;

  @TempDir Path dir;

  private ApiSecurity openApi30(boolean strict) {
    List<Route> routes = OpenApiRoutes.read(write(dir, "orders.yaml", OPENAPI_30), "/api",
        route -> route.auth(AuthMode.NONE).strictSchema(strict));
    return security(routes.toArray(new Route[0]));
  }

  private static Decision get(ApiSecurity security, String target) {
    return evaluate(security, RequestView.builder().method("GET").target(target).build());
  }

  @Test
  void anOpenApi30DocumentBecomesRoutesWithItsBodySchemas() {
    List<Route> routes = OpenApiRoutes.read(write(dir, "orders.yaml", OPENAPI_30), "/api", route -> route.auth(AuthMode.NONE));
    assertThat(routes).extracting(Route::name)
        .containsExactlyInAnyOrder("POST /api/orders", "GET /api/orders", "GET /api/orders/{order_id}", "PATCH /api/orders/{order_id}");
    ApiSecurity security = security(routes.toArray(new Route[0]));
    assertThat(slug(send(security, "POST", "/api/orders", "{\"item\":\"book\",\"note\":null,\"quantity\":2}"))).isEqualTo("allow");
    JsonNode errors = problem(send(security, "POST", "/api/orders",
        "{\"quantity\":0,\"customer\":{\"email\":\"nope\"}}")).path("errors");
    assertThat(errors.toString()).contains("\"keyword\":\"required\"", "/quantity", "/customer/email");
    assertThat(slug(evaluate(security, RequestView.builder().method("POST").target("/api/orders").build())))
        .isEqualTo("invalid-payload");
  }

  @Test
  void anOpenApi30RouteAcceptsOnlyTheDocumentsMediaTypes() {
    ApiSecurity security = openApi30(false);
    Decision wrong = send(security, "PATCH", "/api/orders/7", "application/json", "{\"item\":\"x\"}".getBytes());
    assertThat(wrong.status()).isEqualTo(415);
    assertThat(wrong.responseHeaders().firstOrNull("Accept-Patch")).isEqualTo("application/merge-patch+json");
    assertThat(slug(send(security, "PATCH", "/api/orders/7", "application/merge-patch+json", "{\"item\":\"x\"}".getBytes())))
        .isEqualTo("allow");
    // requestBody.required is absent on PATCH: no body is fine
    assertThat(slug(evaluate(security, RequestView.builder().method("PATCH").target("/api/orders/7").build()))).isEqualTo("allow");
  }

  @Test
  void pathAndQueryParametersAreValidatedAgainstTheirSchemas() {
    ApiSecurity security = openApi30(false);
    assertThat(slug(get(security, "/api/orders/12"))).isEqualTo("allow");
    Decision badPath = get(security, "/api/orders/0");
    assertThat(slug(badPath)).isEqualTo("invalid-parameter");
    assertThat(problem(badPath).path("errors").get(0).path("parameter").asText()).isEqualTo("path:order-id");
    assertThat(slug(get(security, "/api/orders/abc"))).isEqualTo("invalid-parameter");

    assertThat(slug(get(security, "/api/orders?limit=10&status=open&tag=1&tag=2"))).isEqualTo("allow");
    JsonNode errors = problem(get(security, "/api/orders?status=lost&tag=1&tag=x")).path("errors");
    assertThat(errors.toString()).contains("query:limit", "query:status", "query:tag");
    assertThat(slug(get(security, "/api/orders?limit=101"))).isEqualTo("invalid-parameter");
    assertThat(slug(get(security, "/api/orders?limit=%ZZ"))).isEqualTo("invalid-parameter");
  }

  @Test
  void strictModeAppliesToGeneratedRoutes() {
    ApiSecurity security = openApi30(true);
    JsonNode errors = problem(send(security, "POST", "/api/orders", "{\"item\":\"b\",\"price\":0}")).path("errors");
    assertThat(errors.get(0).path("pointer").asText()).isEqualTo("/price");
    assertThat(errors.get(0).path("keyword").asText()).isEqualTo("strict");
  }

  @Test
  void anOpenApi31DocumentResolvesReferencedRequestBodiesAndTypeArrays() {
    List<Route> routes = OpenApiRoutes.read(write(dir, "users.json", OPENAPI_31), "", route -> route.auth(AuthMode.NONE));
    ApiSecurity security = security(routes.toArray(new Route[0]));
    String id = "/users/0b3a3c1e-8a7f-4a53-9d7e-2b5f3f1b7c11";
    assertThat(slug(send(security, "PUT", id + "?dryRun=true", "{\"name\":\"a\",\"nickname\":null,\"age\":1}"))).isEqualTo("allow");
    assertThat(slug(send(security, "PUT", id, "{\"name\":\"a\",\"age\":0}"))).isEqualTo("invalid-payload");
    assertThat(slug(send(security, "PUT", "/users/42", "{\"name\":\"a\"}"))).isEqualTo("invalid-parameter");
    assertThat(slug(send(security, "PUT", id + "?dryRun=maybe", "{\"name\":\"a\"}"))).isEqualTo("invalid-parameter");
    assertThat(slug(evaluate(security, RequestView.builder().method("PUT").target(id).build()))).isEqualTo("invalid-payload");
  }

  @Test
  void aDocumentThatIsNotOpenApi3IsRefused() {
    Path swagger = write(dir, "swagger.json", "{\"swagger\":\"2.0\",\"paths\":{}}");
    assertThatThrownBy(() -> OpenApiRoutes.read(swagger, "", route -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an OpenAPI 3.0 or 3.1 document");
  }
}
