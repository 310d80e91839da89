package io.apisec.schema;

import static io.apisec.schema.PayloadFixture.evaluate;
import static io.apisec.schema.PayloadFixture.limits;
import static io.apisec.schema.PayloadFixture.problem;
import static io.apisec.schema.PayloadFixture.route;
import static io.apisec.schema.PayloadFixture.security;
import static io.apisec.schema.PayloadFixture.send;
import static io.apisec.schema.PayloadFixture.slug;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PayloadLimitsTest {
  private static final String ANY_JSON = "{}";

  private static ApiSecurity big() {
    // a body limit far above the parser's, so that the parser limits are what refuses
    return security(route("POST /p").schema(ANY_JSON).maxBody(32L * 1024 * 1024).build());
  }

  private static void assertMalformed(Decision decision, String detailPart) {
    assertThat(slug(decision)).isEqualTo("malformed-payload");
    assertThat(decision.status()).isEqualTo(400);
    assertThat(problem(decision).path("detail").asText()).contains(detailPart);
  }

  @Test
  void nestingTenThousandDeepIsRefusedWith400() {
    String body = "[".repeat(10_000) + "]".repeat(10_000);
    assertMalformed(send(big(), "POST", "/p", body), "nests deeper");
    String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    assertMalformed(send(big(), "POST", "/p", objects), "nests deeper");
  }

  @Test
  void aHundredThousandDigitNumberIsRefusedWith400() {
    assertMalformed(send(big(), "POST", "/p", "{\"n\":" + "9".repeat(100_000) + "}"), "number");
    assertMalformed(send(big(), "POST", "/p", "[1." + "1".repeat(100_000) + "]"), "number");
  }

  @Test
  void aTenMegabyteStringIsRefusedWith400() {
    byte[] body = new byte[10 * 1024 * 1024 + 8];
    Arrays.fill(body, (byte) 'x');
    body[0] = '[';
    body[1] = '"';
    body[body.length - 2] = '"';
    body[body.length - 1] = ']';
    assertMalformed(send(big(), "POST", "/p", "application/json", body), "string");
  }

  @Test
  void aLongPropertyNameIsRefusedLikeALongString() {
    ApiSecurity security = security(limits(64, 100, 100, 1000), route("POST /p").schema(ANY_JSON).build());
    assertMalformed(send(security, "POST", "/p", "{\"" + "k".repeat(101) + "\":1}"), "property name");
  }

  @Test
  void duplicateKeysAreRefusedWith400() {
    assertMalformed(send(big(), "POST", "/p", "{\"role\":\"user\",\"role\":\"admin\"}"), "Duplicate object key 'role'");
    assertMalformed(send(big(), "POST", "/p", "{\"a\":{\"x\":1,\"y\":{},\"x\":[]}}"), "Duplicate");
  }

  @Test
  void tooManyPropertiesAreRefusedWith400() {
    ApiSecurity security = security(limits(64, 1000, 100, 3), route("POST /p").schema(ANY_JSON).build());
    assertThat(slug(send(security, "POST", "/p", "{\"a\":1,\"b\":2,\"c\":3}"))).isEqualTo("allow");
    assertMalformed(send(security, "POST", "/p", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}"), "more than 3 properties");
  }

  @Test
  void invalidUtf8IsRefusedWith400() {
    byte[][] bodies = {
        {'"', (byte) 0xc3, '"'},                       // truncated sequence
        {'"', (byte) 0xc0, (byte) 0xaf, '"'},          // overlong '/'
        {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // a UTF-16 surrogate
        {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // past U+10FFFF
        {'"', (byte) 0x80, '"'},                       // lone continuation byte
        {0, '{', 0, '}'},                              // UTF-16 that Jackson would otherwise sniff
    };
    for (byte[] body : bodies) {
      assertMalformed(send(big(), "POST", "/p", "application/json", body), "not valid UTF-8");
    }
    byte[] fine = "\"h\u00e9llo \u20ac \ud83d\ude00\"".getBytes(StandardCharsets.UTF_8);
    assertThat(slug(send(big(), "POST", "/p", "application/json", fine))).isEqualTo("allow");
  }

  @Test
  void syntaxErrorsAreRefusedWithoutEchoingTheBody() {
    Decision decision = send(big(), "POST", "/p", "{\"secret\": s3cr3t-value}");
    assertMalformed(decision, "not valid JSON");
    assertThat(problem(decision).toString()).doesNotContain("s3cr3t");
    assertMalformed(send(big(), "POST", "/p", "{} {}"), "Unexpected content");
    assertMalformed(send(big(), "POST", "/p", "  "), "empty");
    Decision none = send(big(), "POST", "/p", "");
    assertThat(slug(none)).isEqualTo("invalid-payload");
    assertThat(problem(none).path("detail").asText()).contains("requires a JSON body");
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeReading() {
    ApiSecurity security = security(route("POST /p").schema(ANY_JSON).maxBody(100).build());
    PayloadFixture.RecordingBodyReader reader = new PayloadFixture.RecordingBodyReader(new byte[0]);
    RequestView request = RequestView.builder().method("POST").target("/p")
        .headers(Headers.of("Content-Type", "application/json", "Content-Length", "101")).body(reader).build();
    Decision decision = evaluate(security, request);
    assertThat(decision.status()).isEqualTo(413);
    assertThat(slug(decision)).isEqualTo("payload-too-large");
    assertThat(reader.called).isFalse();
  }

  @Test
  void aBodyWithoutLengthIsCutOffOnceItCrossesTheLimit() {
    ApiSecurity security = security(route("POST /p").schema(ANY_JSON).maxBody(64 * 1024).build());
    PayloadFixture.ChunkedBodyReader reader = new PayloadFixture.ChunkedBodyReader(10L * 1024 * 1024, 4096);
    RequestView request = RequestView.builder().method("POST").target("/p")
        .headers(Headers.of("Content-Type", "application/json", "Transfer-Encoding", "chunked")).body(reader).build();
    Decision decision = evaluate(security, request);
    assertThat(decision.status()).isEqualTo(413);
    assertThat(reader.consumed).isLessThanOrEqualTo(64 * 1024 + 4096);
  }

  @Test
  void theLimitIsTheRoutesElseTheConfigurationDefault() {
    ApiSecurity security = security(route("POST /small").maxBody(10).build(), route("POST /default").build());
    PayloadFixture.RecordingBodyReader reader = new PayloadFixture.RecordingBodyReader(new byte[5]);
    evaluate(security, RequestView.builder().method("POST").target("/default")
        .headers(Headers.of("Transfer-Encoding", "chunked")).body(reader).build());
    assertThat(reader.askedLimit).isEqualTo(1024 * 1024);
    assertThat(send(security, "POST", "/small", "application/octet-stream", new byte[11]).status()).isEqualTo(413);
    assertThat(slug(send(security, "POST", "/small", "application/octet-stream", new byte[10]))).isEqualTo("allow");
  }

  @Test
  void aRouteWithoutSchemaEnforcesItsContentTypesAndSize() {
    ApiSecurity security = security(route("POST,PATCH /upload").contentTypes("image/png", "image/jpeg").maxBody(1000).build());
    assertThat(slug(send(security, "POST", "/upload", "image/png", new byte[1000]))).isEqualTo("allow");
    Decision post = send(security, "POST", "/upload", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(post.status()).isEqualTo(415);
    assertThat(post.responseHeaders().firstOrNull("Accept-Post")).isEqualTo("image/png, image/jpeg");
    Decision patch = send(security, "PATCH", "/upload", "text/plain", new byte[1]);
    assertThat(patch.responseHeaders().firstOrNull("Accept-Patch")).isEqualTo("image/png, image/jpeg");
    assertThat(patch.responseHeaders().firstOrNull("Accept-Post")).isNull();
    assertThat(send(security, "POST", "/upload", "image/png", new byte[1001]).status()).isEqualTo(413);
  }

  @Test
  void aSchemaRouteAcceptsJsonAndStructuredJsonTypesInUtf8Only() {
    ApiSecurity security = security(route("POST /j").schema(ANY_JSON).build());
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    assertThat(slug(send(security, "POST", "/j", "application/json", body))).isEqualTo("allow");
    assertThat(slug(send(security, "POST", "/j", "application/merge-patch+json", body))).isEqualTo("allow");
    assertThat(slug(send(security, "POST", "/j", "Application/JSON; charset=\"UTF-8\"", body))).isEqualTo("allow");
    Decision latin1 = send(security, "POST", "/j", "application/json; charset=ISO-8859-1", body);
    assertThat(latin1.status()).isEqualTo(415);
    assertThat(problem(latin1).path("detail").asText()).contains("only in UTF-8");
    Decision text = send(security, "POST", "/j", "text/plain", body);
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.responseHeaders().firstOrNull("Accept-Post")).isEqualTo("application/json, application/*+json");
    assertThat(send(security, "POST", "/j", null, body).status()).isEqualTo(415);
    assertThat(send(security, "POST", "/j", "application/jsonx", body).status()).isEqualTo(415);
  }

  @Test
  void aReadFailureOtherThanSizeIsA503NotABlameOnTheClient() {
    ApiSecurity security = security(route("POST /p").schema(ANY_JSON).build());
    RequestView request = RequestView.builder().method("POST").target("/p")
        .headers(Headers.of("Content-Type", "application/json", "Content-Length", "2"))
        .body(max -> java.util.concurrent.CompletableFuture.failedFuture(new java.io.UncheckedIOException(new java.io.IOException("reset"))))
        .build();
    assertThat(evaluate(security, request).status()).isEqualTo(503);
  }
}
