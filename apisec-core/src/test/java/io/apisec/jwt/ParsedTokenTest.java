package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ParsedTokenTest {
  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Object parse(String header, String payload) {
    return ParsedToken.parse(b64(header) + "." + b64(payload) + ".c2ln");
  }

  @Test
  void aWellFormedTokenIsSplitAndDecoded() {
    Object parsed = parse("{\"alg\":\"RS256\",\"kid\":\"k\"}", "{\"sub\":\"alice\",\"exp\":1}");
    assertThat(parsed).isInstanceOf(ParsedToken.class);
    ParsedToken token = (ParsedToken) parsed;
    assertThat(token.headerString("kid")).isEqualTo("k");
    assertThat(token.claimString("sub")).isEqualTo("alice");
    assertThat(token.signature).containsExactly("sig".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void duplicateNamesTrailingContentAndDeepNestingAreRefused() {
    assertThat(parse("{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}")).asString().contains("unique claim names");
    assertThat(parse("{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}")).asString().contains("unique member names");
    assertThat(parse("{\"alg\":\"RS256\"}", "{} {}")).isInstanceOf(String.class);
    assertThat(parse("{\"alg\":\"RS256\"}", "[1]")).isInstanceOf(String.class);
    assertThat(parse("{\"alg\":\"RS256\"}", "null")).isInstanceOf(String.class);
    String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
    assertThat(parse("{\"alg\":\"RS256\"}", deep)).isInstanceOf(String.class);
  }

  @Test
  void paddingAndForeignCharactersAreRefused() {
    assertThat(ParsedToken.parse(b64("{}") + "=." + b64("{}") + ".c2ln")).asString().contains("base64url");
    assertThat(ParsedToken.parse("a.b.c.d")).asString().contains("compact JWS");
    assertThat(ParsedToken.parse(".e30.c2ln")).asString().contains("compact JWS");
  }
}
