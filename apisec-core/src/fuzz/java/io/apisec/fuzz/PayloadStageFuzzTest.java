package io.apisec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Fuzzes the payload stage with arbitrary bodies. Properties: the pipeline always answers with a
 * documented status (never an exception, never a 5xx); and whatever it accepts is well-formed
 * UTF-8 JSON without duplicate keys that the bare validator finds valid against the schema.
 */
class PayloadStageFuzzTest {
  private static final String SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
      + "\"type\":\"object\",\"required\":[\"sku\",\"quantity\"],\"additionalProperties\":false,"
      + "\"properties\":{\"sku\":{\"type\":\"string\",\"maxLength\":20},\"quantity\":{\"type\":\"integer\",\"minimum\":1},"
      + "\"note\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}";
  private static final ApiSecurity SECURITY = ApiSecurity.builder(ApiSecurityConfig.builder()
          .route(Route.builder("POST /orders").auth(AuthMode.NONE).schema(SCHEMA).maxBody(4096).build())
          .build())
      .auditToSystemLogger(false).build();
  private static final ObjectMapper STRICT = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final JsonSchema REFERENCE = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA);

  @FuzzTest(maxDuration = "60s")
  void whateverPassesIsValidStrictJson(FuzzedDataProvider data) throws Exception {
    byte[] body = data.consumeRemainingAsBytes();
    RequestView request = RequestView.builder().method("POST").target("/orders")
        .headers(Headers.of("Content-Type", "application/json", "Content-Length", Integer.toString(body.length)))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .body(max -> CompletableFuture.completedFuture(body))
        .build();
    Decision decision = SECURITY.evaluate(request).toCompletableFuture().get();
    assertThat(decision.status()).isIn(200, 400, 413);
    if (decision instanceof Decision.Deny) {
      return;
    }
    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
    JsonNode tree = STRICT.readTree(body);
    assertThat(REFERENCE.validate(tree)).isEmpty();
  }
}
