package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ResponseValidation;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.apisec.config.ResponseValidationSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseValidationConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void document() {
    write(dir, "users.yaml", ResponseValidationTest.USERS_API);
  }

  private Route route(ApiSecurityConfig config, String name) {
    return config.routes().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void theSectionTheOpenApiKeyAndTheRouteKeyAreRead() {
    ApiSecurityConfig config = ConfigLoader.parseYaml("""
        response-validation:
          mode: report-only
          max-response-body: 256KB
        routes:
          - match: GET /users/{id}/avatar
            auth: none
            operation: users.yaml#/paths/~1users~1{id}~1avatar/get
            response-validation: off
        openapi:
          document: users.yaml
          auth: none
          response-validation: enforce
        """, dir);
    assertThat(config.responseValidation()).isEqualTo(
        new ResponseValidationSettings(ResponseValidation.REPORT_ONLY, 256 * 1024));
    assertThat(route(config, "GET /users/{id}").responseValidation()).contains(ResponseValidation.ENFORCE);
    assertThat(route(config, "GET /users/{id}/avatar").responseValidation()).contains(ResponseValidation.OFF);
  }

  @Test
  void withoutTheKeysValidationIsOffWithAOneMegabyteBound() {
    ApiSecurityConfig config = ConfigLoader.parseYaml("openapi: {document: users.yaml, auth: none}\n", dir);
    assertThat(config.responseValidation()).isEqualTo(ResponseValidationSettings.DEFAULTS);
    assertThat(config.responseValidation().mode()).isEqualTo(ResponseValidation.OFF);
    assertThat(config.responseValidation().maxBody()).isEqualTo(1024 * 1024);
    assertThat(route(config, "GET /users/{id}").responseValidation()).isEmpty();
  }

  @Test
  void anUnknownModeNamesTheKeyAndLine() {
    assertThatThrownBy(() -> ConfigLoader.parseYaml("""
        routes:
          - match: GET /x
            auth: none
            response-validation: strict
        """, dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes[0].response-validation")
        .hasMessageContaining("line 4")
        .hasMessageContaining("off, report-only, enforce");
    assertThatThrownBy(() -> ConfigLoader.parseYaml("openapi: {document: users.yaml, response-validation: on}\n", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("openapi.response-validation");
  }

  @Test
  void unknownKeysAndBadSizesInTheSectionAreRefused() {
    assertThatThrownBy(() -> ConfigLoader.parseYaml("response-validation:\n  mode: enforce\n  max-body: 1MB\n", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("response-validation.max-body");
    assertThatThrownBy(() -> ConfigLoader.parseYaml("response-validation:\n  max-response-body: 0B\n", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("response-validation.max-response-body")
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> ConfigLoader.parseYaml("response-validation:\n  mode: sometimes\n", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("response-validation.mode");
  }

  @Test
  void anOperationWithoutResponsesFailsAtStartNamingTheRoute() {
    write(dir, "bare.yaml", """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        paths:
          /bare:
            get: {}
        """);
    ApiSecurityConfig config = ConfigLoader.parseYaml(
        "openapi: {document: bare.yaml, auth: none, response-validation: enforce}\n", dir);
    assertThatThrownBy(() -> io.apisec.ApiSecurity.builder(config).auditToSystemLogger(false).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("routes.GET /bare.response-validation")
        .hasMessageContaining("declares no responses");
  }
}
