package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.send;
import static io.apisec.schema.PayloadFixture.slug;
import static io.apisec.schema.PayloadFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadConfigTest {
  @TempDir Path dir;

  private void openApi() {
    write(dir, "api/orders.yaml", """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /orders:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Order'}
          /orders/{id}:
            get:
              parameters:
                - {name: id, in: path, required: true, schema: {type: integer}}
        components:
          schemas:
            Order: {type: object, properties: {item: {type: string}}}
        """);
  }

  @Test
  void payloadAndOpenApiSectionsAreRead() {
    openApi();
    Path config = write(dir, "apisec.yaml", """
        payload:
          default-draft: 2019-09
          max-depth: 10
          max-string-length: 5000
          max-number-length: 40
          max-properties: 50
          max-errors: 5
          redact: [pin, iban]
        openapi:
          document: api/orders.yaml
          base-path: /v1
          auth: none
          strict: true
          max-body: 4KB
        routes:
          - match: GET /v1/orders/{id}
            auth: none
            operation: api/orders.yaml#/paths/~1orders~1{id}/get
          - match: PUT /v1/items
            auth: none
            schema: api/orders.yaml#/components/schemas/Order
        """);
    ApiSecurityConfig loaded = ConfigLoader.load(config);
    assertThat(loaded.payload()).isEqualTo(new ApiSecurityConfig.Payload("2019-09", 10, 5000, 40, 50, 5, Set.of("pin", "iban")));
    assertThat(loaded.routes()).extracting(Route::name)
        .containsExactly("GET /v1/orders/{id}", "PUT /v1/items", "POST /v1/orders");
    Route generated = loaded.routes().get(2);
    assertThat(generated.auth()).isEqualTo(AuthMode.NONE);
    assertThat(generated.strictSchema()).isTrue();
    assertThat(generated.maxBody()).isEqualTo(4096);

    ApiSecurity security = ApiSecurity.builder(loaded).auditToSystemLogger(false).build();
    assertThat(slug(send(security, "POST", "/v1/orders", "{\"item\":\"a\"}"))).isEqualTo("allow");
    assertThat(slug(send(security, "POST", "/v1/orders", "{\"item\":\"a\",\"price\":1}"))).isEqualTo("invalid-payload");
    assertThat(slug(send(security, "POST", "/v1/orders", "[[[[[[[[[[[1]]]]]]]]]]]"))).isEqualTo("malformed-payload");
    assertThat(slug(send(security, "PUT", "/v1/items", "{\"item\":1}"))).isEqualTo("invalid-payload");
    assertThat(slug(PayloadFixture.evaluate(security,
        io.apisec.RequestView.builder().method("GET").target("/v1/orders/x").build()))).isEqualTo("invalid-parameter");
  }

  @Test
  void badPayloadSettingsNameTheirKeyAndLine() {
    Path unknownDraft = write(dir, "a.yaml", "payload:\n  default-draft: 3\n");
    assertThatThrownBy(() -> ConfigLoader.load(unknownDraft))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("payload.default-draft")
        .satisfies(e -> assertThat(((ConfigException) e).line()).isEqualTo(2));
    Path unknownKey = write(dir, "b.yaml", "payload:\n  max-depht: 3\n");
    assertThatThrownBy(() -> ConfigLoader.load(unknownKey))
        .hasMessageContaining("payload.max-depht")
        .hasMessageContaining("did you mean 'max-depth'");
    Path zero = write(dir, "c.yaml", "payload:\n  max-errors: 0\n");
    assertThatThrownBy(() -> ConfigLoader.load(zero)).hasMessageContaining("payload.max-errors");
  }

  @Test
  void badOpenApiSettingsNameTheirKey() {
    Path missing = write(dir, "d.yaml", "openapi:\n  document: nowhere.yaml\n");
    assertThatThrownBy(() -> ConfigLoader.load(missing)).hasMessageContaining("openapi.document");
    openApi();
    Path unknown = write(dir, "e.yaml", "openapi:\n  document: api/orders.yaml\n  strickt: true\n");
    assertThatThrownBy(() -> ConfigLoader.load(unknown)).hasMessageContaining("openapi.strickt");
    Path badOperation = write(dir, "f.yaml", "routes:\n  - match: GET /x\n    auth: none\n    operation: api/orders.yaml\n");
    assertThatThrownBy(() -> ConfigLoader.load(badOperation)).hasMessageContaining("routes[0].operation");
  }
}
