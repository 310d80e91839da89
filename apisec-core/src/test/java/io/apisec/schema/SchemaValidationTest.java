package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.problem;
import static io.apisec.schema.PayloadFixture.route;
import static io.apisec.schema.PayloadFixture.security;
import static io.apisec.schema.PayloadFixture.send;
import static io.apisec.schema.PayloadFixture.slug;
import static io.apisec.schema.PayloadFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.RequestView;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaValidationTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "draft {0}")
  @CsvSource(delimiter = '|', value = {
      // a keyword each draft reads its own way: valid body, invalid body
      "http://json-schema.org/draft-04/schema#|{\"type\":\"number\",\"minimum\":5,\"exclusiveMinimum\":true}|6|5",
      "http://json-schema.org/draft-06/schema#|{\"type\":\"number\",\"exclusiveMinimum\":5}|6|5",
      "http://json-schema.org/draft-07/schema#|{\"if\":{\"minimum\":10},\"then\":{\"multipleOf\":5}}|15|12",
      "https://json-schema.org/draft/2019-09/schema|{\"type\":\"object\",\"dependentRequired\":{\"a\":[\"b\"]}}|{\"a\":1,\"b\":2}|{\"a\":1}",
      "https://json-schema.org/draft/2020-12/schema|{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}|[\"x\"]|[\"x\",1]",
  })
  void eachDraftIsReadByItsOwnRules(String draft, String schemaBody, String valid, String invalid) {
    String schema = "{\"$schema\":\"" + draft + "\"," + schemaBody.substring(1);
    ApiSecurity security = security(route("POST /d").schema(write(dir, "d.json", schema).toString()).build());
    assertThat(slug(send(security, "POST", "/d", valid))).isEqualTo("allow");
    Decision refused = send(security, "POST", "/d", invalid);
    assertThat(slug(refused)).isEqualTo("invalid-payload");
    assertThat(refused.status()).isEqualTo(400);
  }

  @Test
  void aSchemaWithoutDollarSchemaFollowsTheConfiguredDefaultDraft() {
    String schema = "{\"type\":\"number\",\"minimum\":5,\"exclusiveMinimum\":true}";
    ApiSecurityConfig.Payload d = ApiSecurityConfig.Payload.DEFAULTS;
    ApiSecurityConfig.Payload draft4 = new ApiSecurityConfig.Payload("4", d.maxDepth(), d.maxStringLength(),
        d.maxNumberLength(), d.maxProperties(), d.maxErrors(), d.redact());
    ApiSecurity security = security(draft4, route("POST /d").schema(schema).build());
    assertThat(slug(send(security, "POST", "/d", "5"))).isEqualTo("invalid-payload");
    assertThat(slug(send(security, "POST", "/d", "5.5"))).isEqualTo("allow");
  }

  @Test
  void referencesToOtherFilesResolveRelativeToTheReferringFile() {
    write(dir, "common/types.json", "{\"definitions\":{\"qty\":{\"$ref\":\"limits.json#/max\"}}}");
    write(dir, "common/limits.json", "{\"max\":{\"type\":\"integer\",\"maximum\":5}}");
    Path order = write(dir, "order.json", "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
        + "\"properties\":{\"qty\":{\"$ref\":\"common/types.json#/definitions/qty\"}},\"required\":[\"qty\"]}");
    ApiSecurity security = security(route("POST /orders").schema(order.toString()).build());
    assertThat(slug(send(security, "POST", "/orders", "{\"qty\":3}"))).isEqualTo("allow");
    JsonNode problem = problem(send(security, "POST", "/orders", "{\"qty\":9}"));
    assertThat(problem.path("errors").get(0).path("pointer").asText()).isEqualTo("/qty");
    assertThat(problem.path("errors").get(0).path("keyword").asText()).isEqualTo("maximum");
  }

  @Test
  void aReferenceToTheNetworkIsRefusedAtStartNamingTheRoute() {
    String schema = "{\"$ref\":\"https://schemas.example.com/order.json\"}";
    assertThatThrownBy(() -> security(route("POST /orders").schema(schema).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes.POST /orders.schema");
  }

  @Test
  void aBrokenSchemaFailsAtStartNamingTheRoute() {
    Path broken = write(dir, "broken.json", "{\"$ref\":\"missing.json\"}");
    assertThatThrownBy(() -> security(route("POST /x").name("create-x").schema(broken.toString()).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes.create-x.schema");
  }

  @Test
  void formatsAreAsserted() {
    String schema = "{\"type\":\"object\",\"properties\":{"
        + "\"email\":{\"format\":\"email\"},\"at\":{\"format\":\"date-time\"},"
        + "\"id\":{\"format\":\"uuid\"},\"home\":{\"format\":\"uri\"}}}";
    ApiSecurity security = security(route("POST /f").schema(schema).build());
    String good = "{\"email\":\"a@example.com\",\"at\":\"2026-11-22T10:00:00Z\","
        + "\"id\":\"0b3a3c1e-8a7f-4a53-9d7e-2b5f3f1b7c11\",\"home\":\"https://example.com/a\"}";
    assertThat(slug(send(security, "POST", "/f", good))).isEqualTo("allow");
    String bad = "{\"email\":\"nobody\",\"at\":\"yesterday\",\"id\":\"not-a-uuid\",\"home\":\"::\"}";
    JsonNode errors = problem(send(security, "POST", "/f", bad)).path("errors");
    List<String> pointers = new ArrayList<>();
    errors.forEach(e -> {
      assertThat(e.path("keyword").asText()).isEqualTo("format");
      pointers.add(e.path("pointer").asText());
    });
    assertThat(pointers).containsExactlyInAnyOrder("/email", "/at", "/id", "/home");
  }

  @Test
  void strictModeRefusesPropertiesTheSchemaDoesNotDeclare() {
    String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
        + "\"address\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}";
    ApiSecurity lax = security(route("POST /u").schema(schema).build());
    ApiSecurity strict = security(route("POST /u").schema(schema).strictSchema(true).build());
    String body = "{\"name\":\"a\",\"isAdmin\":true,\"address\":{\"city\":\"b\",\"zip\":\"1\"}}";
    assertThat(slug(send(lax, "POST", "/u", body))).isEqualTo("allow");
    JsonNode errors = problem(send(strict, "POST", "/u", body)).path("errors");
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0).path("pointer").asText()).isEqualTo("/isAdmin");
    assertThat(errors.get(0).path("keyword").asText()).isEqualTo("strict");
    assertThat(errors.get(1).path("pointer").asText()).isEqualTo("/address/zip");
    assertThat(slug(send(strict, "POST", "/u", "{\"name\":\"a\",\"address\":{\"city\":\"b\"}}"))).isEqualTo("allow");
  }

  @Test
  void strictModeUnitesCompositionBranchesAndReferences() {
    write(dir, "base.json", "{\"$defs\":{\"named\":{\"properties\":{\"name\":{}}}}}");
    Path schema = write(dir, "composed.json", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
        + "\"allOf\":[{\"$ref\":\"base.json#/$defs/named\"},{\"properties\":{\"age\":{}}}],"
        + "\"oneOf\":[{\"required\":[\"cat\"],\"properties\":{\"cat\":{}}},{\"required\":[\"dog\"],\"properties\":{\"dog\":{}}}],"
        + "\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},"
        + "\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/tag\"}},"
        + "\"extra\":{\"type\":\"object\",\"additionalProperties\":true},\"free\":{}},"
        + "\"$defs\":{\"tag\":{\"type\":\"object\",\"properties\":{\"label\":{}}}}}");
    ApiSecurity security = security(route("POST /c").schema(schema.toString()).strictSchema(true).build());
    String ok = "{\"name\":\"n\",\"age\":1,\"cat\":1,\"x-trace\":\"t\",\"tags\":[{\"label\":\"l\"}],"
        + "\"extra\":{\"anything\":1},\"free\":{\"whatever\":{\"deep\":1}}}";
    assertThat(slug(send(security, "POST", "/c", ok))).isEqualTo("allow");
    JsonNode errors = problem(send(security, "POST", "/c", "{\"name\":\"n\",\"cat\":1,\"tags\":[{\"label\":\"l\",\"color\":1}],\"role\":\"admin\"}"))
        .path("errors");
    List<String> pointers = new ArrayList<>();
    errors.forEach(e -> pointers.add(e.path("pointer").asText()));
    assertThat(pointers).containsExactlyInAnyOrder("/tags/0/color", "/role");
  }

  @Test
  void strictModeFollowsRecursiveSchemas() {
    String schema = "{\"$ref\":\"#/definitions/node\",\"definitions\":{\"node\":{\"type\":\"object\","
        + "\"properties\":{\"value\":{},\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/node\"}}}}}}";
    ApiSecurity security = security(route("POST /t").schema(schema).strictSchema(true).build());
    assertThat(slug(send(security, "POST", "/t", "{\"value\":1,\"children\":[{\"value\":2,\"children\":[]}]}"))).isEqualTo("allow");
    JsonNode errors = problem(send(security, "POST", "/t", "{\"children\":[{\"children\":[{\"evil\":1}]}]}")).path("errors");
    assertThat(errors.get(0).path("pointer").asText()).isEqualTo("/children/0/children/0/evil");
  }

  @Test
  void theErrorReportIsCappedInNumberAndLength() {
    String schema = "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"" + "k".repeat(500) + "\"]}}";
    ApiSecurity security = security(route("POST /many").schema(schema).build());
    String body = "[" + String.join(",", java.util.Collections.nCopies(50, "{}")) + "]";
    Decision.Deny deny = (Decision.Deny) send(security, "POST", "/many", body);
    JsonNode problem = problem(deny);
    assertThat(problem.path("errors")).hasSize(20);
    assertThat(problem.path("detail").asText()).contains("50 violations, first 20 listed");
    problem.path("errors").forEach(e -> assertThat(e.path("message").asText().length()).isLessThanOrEqualTo(201));
  }

  @Test
  void violationMessagesNeverDescribeRedactedFields() {
    String schema = "{\"type\":\"object\",\"properties\":{"
        + "\"password\":{\"const\":\"correct-horse-battery\"},"
        + "\"account\":{\"type\":\"object\",\"properties\":{\"pinCode\":{\"enum\":[\"4711\"]}}},"
        + "\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}}}";
    ApiSecurityConfig.Payload d = ApiSecurityConfig.Payload.DEFAULTS;
    ApiSecurityConfig.Payload redactPin = new ApiSecurityConfig.Payload(d.defaultDraft(), d.maxDepth(),
        d.maxStringLength(), d.maxNumberLength(), d.maxProperties(), d.maxErrors(), Set.of("pin_code"));
    ApiSecurity security = security(redactPin, route("POST /login").schema(schema).build());
    String body = "{\"password\":\"hunter22\",\"account\":{\"pinCode\":\"1234\"},\"name\":\"Robert'); DROP\"}";
    Decision deny = send(security, "POST", "/login", body);
    String document = new String(((Decision.Deny) deny).body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(document).doesNotContain("correct-horse-battery", "hunter22", "4711", "1234", "DROP");
    assertThat(problem(deny).path("errors")).hasSize(3);
    assertThat(document).contains("/password", "/account/pinCode", "redacted");
  }

  @Test
  void aRequestWithoutBodySkipsTheStageUnlessTheMethodNeedsOne() {
    ApiSecurity security = security(route("GET,POST /s").schema("{\"type\":\"object\"}").build());
    RequestView get = RequestView.builder().method("GET").target("/s").build();
    assertThat(slug(PayloadFixture.evaluate(security, get))).isEqualTo("allow");
    RequestView post = RequestView.builder().method("POST").target("/s").build();
    assertThat(slug(PayloadFixture.evaluate(security, post))).isEqualTo("invalid-payload");
  }
}
