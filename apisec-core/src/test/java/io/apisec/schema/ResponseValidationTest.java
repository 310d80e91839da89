package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.apisec.ApiSecurity;
import io.apisec.AuditEvent;
import io.apisec.AuthMode;
import io.apisec.DecisionListener;
import io.apisec.Headers;
import io.apisec.Identity;
import io.apisec.JsonLinesAuditLog;
import io.apisec.ResponseCheck;
import io.apisec.ResponseValidation;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.apisec.config.ResponseValidationSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseValidationTest {
  static final String USERS_API = """
      openapi: 3.0.3
      info: {title: users, version: '1'}
      paths:
        /users/{id}:
          get:
            responses:
              '200':
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/User'}
              '4XX': {$ref: '#/components/responses/Problem'}
              default:
                content:
                  text/plain: {}
        /users/{id}/avatar:
          get:
            responses:
              '200':
                content:
                  image/png: {}
              '204': {description: no avatar}
        /health:
          get:
            responses:
              '200': {description: ok}
      components:
        responses:
          Problem:
            description: a problem
            content:
              application/problem+json:
                schema:
                  type: object
                  properties: {title: {type: string}, status: {type: integer}}
        schemas:
          User:
            type: object
            required: [id, name]
            properties:
              id: {type: integer}
              name: {type: string}
              address:
                type: object
                properties: {city: {type: string}}
      """;

  @TempDir Path dir;
  final Recording events = new Recording();

  /** Captures response violations and decisions. */
  static final class Recording implements DecisionListener {
    final List<AuditEvent> violations = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final JsonLinesAuditLog log = JsonLinesAuditLog.to(lines::add);

    @Override
    public void onDecision(AuditEvent event) {}

    @Override
    public void onResponseViolation(AuditEvent event) {
      violations.add(event);
      log.onResponseViolation(event);
    }
  }

  @BeforeEach
  void document() {
    write(dir, "users.yaml", USERS_API);
  }

  private ApiSecurity security(String mode, String extra) {
    ApiSecurityConfig config = ConfigLoader.parseYaml("""
        openapi:
          document: users.yaml
          auth: none
          response-validation: %s
        %s
        """.formatted(mode, extra), dir);
    return ApiSecurity.builder(config).auditToSystemLogger(false).listener(events).build();
  }

  private ResponseCheck check(ApiSecurity security, String method, String path) {
    return security.responseCheck(method, path, Identity.ANONYMOUS, "req-1").orElseThrow();
  }

  private static Headers json() {
    return Headers.of("Content-Type", "application/json");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void declaredFieldsPassWithoutAnEvent() {
    try (ApiSecurity security = security("enforce", "")) {
      ResponseCheck.Verdict verdict = check(security, "GET", "/users/7")
          .check(200, json(), bytes("{\"id\":7,\"name\":\"Ada\",\"address\":{\"city\":\"Paris\"}}"));
      assertThat(verdict.passes()).isTrue();
      assertThat(verdict.valid()).isTrue();
      assertThat(events.violations).isEmpty();
    }
  }

  @Test
  void undeclaredFieldIsA502ThatNamesThePathButNeverTheValue() throws Exception {
    try (ApiSecurity security = security("enforce", "")) {
      ResponseCheck check = check(security, "GET", "/users/7");
      assertThat(check.enforcing()).isTrue();
      ResponseCheck.Verdict verdict = check.check(200, json(),
          bytes("{\"id\":7,\"name\":\"Ada\",\"passwordHash\":\"$2b$12$leakedhashvalue\"}"));
      assertThat(verdict.passes()).isFalse();
      assertThat(verdict.violations()).singleElement()
          .satisfies(v -> assertThat(v).containsEntry("pointer", "/passwordHash").containsEntry("keyword", "strict"));
      assertThat(verdict.refusal().status()).isEqualTo(502);
      assertThat(verdict.refusal().contentType()).isEqualTo("application/problem+json");
      String body = new String(verdict.refusal().body(), StandardCharsets.UTF_8);
      JsonNode problem = PayloadFixture.JSON.readTree(body);
      assertThat(problem.path("type").asText()).isEqualTo("urn:apisec:problem:invalid-response");
      assertThat(problem.path("requestId").asText()).isEqualTo("req-1");
      assertThat(body).doesNotContain("passwordHash").doesNotContain("leakedhashvalue").doesNotContain("Ada");
      assertThat(verdict.refusal().responseHeaders().firstOrNull("cache-control")).isEqualTo("no-store");

      AuditEvent event = events.violations.get(0);
      assertThat(event.outcome()).isEqualTo("deny");
      assertThat(event.status()).isEqualTo(502);
      assertThat(event.reason()).isEqualTo("invalid-response");
      assertThat(event.stage()).isEqualTo("response");
      assertThat(event.route()).isEqualTo("GET /users/{id}");
      assertThat(event.detail()).contains("/passwordHash").doesNotContain("leakedhashvalue");
      assertThat(events.lines.get(0)).contains("\"reason\":\"invalid-response\"").doesNotContain("leakedhashvalue");
    }
  }

  @Test
  void undeclaredNestedFieldIsCaughtAtItsPointer() {
    try (ApiSecurity security = security("enforce", "")) {
      ResponseCheck.Verdict verdict = check(security, "GET", "/users/7")
          .check(200, json(), bytes("{\"id\":7,\"name\":\"Ada\",\"address\":{\"city\":\"Paris\",\"internalNote\":\"vip\"}}"));
      assertThat(verdict.violations()).extracting(v -> v.get("pointer")).containsExactly("/address/internalNote");
    }
  }

  @Test
  void wrongTypeAndMissingRequiredFieldAreViolations() {
    try (ApiSecurity security = security("enforce", "")) {
      ResponseCheck.Verdict verdict = check(security, "GET", "/users/7")
          .check(200, json(), bytes("{\"id\":\"seven\"}"));
      assertThat(verdict.passes()).isFalse();
      assertThat(verdict.violations()).extracting(v -> v.get("keyword")).contains("type", "required");
    }
  }

  @Test
  void statusRangesAndDefaultChooseTheDeclaration() {
    try (ApiSecurity security = security("enforce", "")) {
      Headers problem = Headers.of("Content-Type", "application/problem+json");
      assertThat(check(security, "GET", "/users/7").check(404, problem, bytes("{\"title\":\"gone\",\"status\":404}"))
          .valid()).isTrue();
      assertThat(check(security, "GET", "/users/7").check(404, problem, bytes("{\"title\":\"gone\",\"stack\":\"at x\"}"))
          .violations()).extracting(v -> v.get("pointer")).containsExactly("/stack");
      assertThat(check(security, "GET", "/users/7").check(500, Headers.of("Content-Type", "text/plain"), bytes("oops"))
          .valid()).isTrue();
      assertThat(check(security, "GET", "/users/7").check(500, json(), bytes("{\"trace\":\"x\"}"))
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content-type");
    }
  }

  @Test
  void aStatusTheContractDoesNotDeclareIsAViolation() {
    try (ApiSecurity security = security("enforce", "")) {
      ResponseCheck.Verdict verdict = check(security, "GET", "/users/7/avatar")
          .check(500, Headers.of("Content-Type", "text/plain"), bytes("boom"));
      assertThat(verdict.passes()).isFalse();
      assertThat(verdict.violations()).extracting(v -> v.get("keyword")).containsExactly("status");
    }
  }

  @Test
  void nonJsonResponsesOnlyHaveTheirContentTypeChecked() {
    try (ApiSecurity security = security("enforce", "")) {
      byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, (byte) 0xff};
      assertThat(check(security, "GET", "/users/7/avatar").check(200, Headers.of("Content-Type", "image/png"), png)
          .valid()).isTrue();
      assertThat(check(security, "GET", "/users/7/avatar").check(200, Headers.of("Content-Type", "text/html"), bytes("<p>"))
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content-type");
      assertThat(check(security, "GET", "/users/7/avatar").check(200, Headers.empty(), png)
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content-type");
    }
  }

  @Test
  void bodiesAreCheckedAgainstWhetherTheContractDeclaresOne() {
    try (ApiSecurity security = security("enforce", "")) {
      assertThat(check(security, "GET", "/users/7/avatar").check(204, Headers.empty(), new byte[0]).valid()).isTrue();
      assertThat(check(security, "GET", "/users/7/avatar").check(204, json(), bytes("{}"))
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content");
      assertThat(check(security, "GET", "/users/7").check(200, json(), new byte[0])
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content");
      assertThat(check(security, "HEAD", "/users/7/avatar").check(200, Headers.empty(), new byte[0]).valid()).isTrue();
    }
  }

  @Test
  void malformedJsonAndEncodedBodiesAreViolations() {
    try (ApiSecurity security = security("enforce", "")) {
      assertThat(check(security, "GET", "/users/7").check(200, json(), bytes("{\"id\":7,\"id\":8,\"name\":\"a\"}"))
          .violations()).extracting(v -> v.get("keyword")).containsExactly("malformed");
      assertThat(check(security, "GET", "/users/7").check(200,
              Headers.of("Content-Type", "application/json", "Content-Encoding", "gzip"), new byte[] {0x1f, (byte) 0x8b, 8})
          .violations()).extracting(v -> v.get("keyword")).containsExactly("content-encoding");
    }
  }

  @Test
  void aBodyOverTheBoundIsRefusedWhenEnforcingAndPassesUnvalidatedWhenReporting() {
    String bound = "response-validation:\n  max-response-body: 64B";
    try (ApiSecurity security = security("enforce", bound)) {
      ResponseCheck check = check(security, "GET", "/users/7");
      assertThat(check.maxBody()).isEqualTo(64);
      byte[] large = bytes("{\"id\":7,\"name\":\"" + "a".repeat(100) + "\"}");
      assertThat(check.check(200, json(), large).refusal().status()).isEqualTo(502);
      assertThat(check.bodyTooLarge(200, json()).passes()).isFalse();
      assertThat(check(security, "HEAD", "/users/7").bodyTooLarge(200, json()).passes()).isTrue();
    }
    events.violations.clear();
    try (ApiSecurity security = security("report-only", bound)) {
      ResponseCheck.Verdict verdict = check(security, "GET", "/users/7").bodyTooLarge(200, json());
      assertThat(verdict.passes()).isTrue();
      assertThat(verdict.violations()).extracting(v -> v.get("keyword")).containsExactly("max-response-body");
      assertThat(events.violations).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("allow"));
    }
  }

  @Test
  void reportOnlyPassesTheResponseAndRecordsTheViolation() {
    try (ApiSecurity security = security("report-only", "")) {
      ResponseCheck check = check(security, "GET", "/users/7");
      assertThat(check.enforcing()).isFalse();
      ResponseCheck.Verdict verdict = check.check(200, json(), bytes("{\"id\":7,\"name\":\"Ada\",\"passwordHash\":\"xyzzy\"}"));
      assertThat(verdict.passes()).isTrue();
      assertThat(verdict.valid()).isFalse();
      AuditEvent event = events.violations.get(0);
      assertThat(event.outcome()).isEqualTo("allow");
      assertThat(event.status()).isEqualTo(200);
      assertThat(event.shadowDenials()).containsExactly("response:invalid-response");
      assertThat(events.lines.get(0)).contains("/passwordHash").contains("\"shadowDenials\":[\"response:invalid-response\"]")
          .doesNotContain("xyzzy");
    }
  }

  @Test
  void routesWithoutValidationHaveNoCheck() {
    try (ApiSecurity security = security("off", "")) {
      assertThat(security.responseCheck("GET", "/users/7", Identity.ANONYMOUS, "r")).isEmpty();
    }
    try (ApiSecurity security = security("enforce", "")) {
      assertThat(security.responseCheck("GET", "/nowhere", Identity.ANONYMOUS, "r")).isEmpty();
      assertThat(security.responseCheck("GET", "/users/../health", Identity.ANONYMOUS, "r")).isEmpty();
      assertThat(security.responseCheck("GET", "/health", Identity.ANONYMOUS, "r")).isPresent();
    }
  }

  @Test
  void theGlobalDefaultAppliesOnlyToRoutesWithAnOperation() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .responseValidation(new ResponseValidationSettings(ResponseValidation.REPORT_ONLY, 4096))
        .route(Route.builder("GET /plain").auth(AuthMode.NONE).build())
        .route(Route.builder("GET /users/{id}").auth(AuthMode.NONE)
            .operation(dir.resolve("users.yaml") + "#/paths/~1users~1{id}/get").build())
        .build();
    try (ApiSecurity security = ApiSecurity.builder(config).auditToSystemLogger(false).build()) {
      assertThat(security.responseCheck("GET", "/plain", Identity.ANONYMOUS, "r")).isEmpty();
      ResponseCheck check = security.responseCheck("GET", "/users/1", Identity.ANONYMOUS, "r").orElseThrow();
      assertThat(check.enforcing()).isFalse();
      assertThat(check.maxBody()).isEqualTo(4096);
    }
  }

  @Test
  void aRouteAskingForValidationWithoutAnOperationFailsAtStart() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("GET /plain").auth(AuthMode.NONE).responseValidation(ResponseValidation.ENFORCE).build())
        .build();
    assertThatThrownBy(() -> ApiSecurity.builder(config).auditToSystemLogger(false).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes.GET /plain.response-validation")
        .hasMessageContaining("needs an OpenAPI operation");
  }
}
