package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {
  @Test
  void theKeyOfATokenInsideItsHeaderIsTheKeyOfTheTokenAlone() {
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
    String header = "Bearer   " + token + " \t";
    int from = header.indexOf("eyJ");
    assertThat(VerifiedTokenCache.hash(header, from, from + token.length())).isEqualTo(VerifiedTokenCache.hash(token));
  }

  @Test
  void theKeyIsTheSha256OfTheTokensAsciiBytesWithForeignCharactersAsQuestionMarks() throws Exception {
    String token = "abc.d\u00e9f.\u4e2dx";
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    assertThat(VerifiedTokenCache.hash(token).getBytes(StandardCharsets.ISO_8859_1)).containsExactly(expected);
    assertThat(VerifiedTokenCache.hash("abc.d?f.?x")).isEqualTo(VerifiedTokenCache.hash(token));
  }

  @Test
  void tokensLargerThanTheKeptBufferHashLikeSmallOnes() throws Exception {
    String token = "a".repeat(20_000) + "." + "b".repeat(10) + ".c";
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    assertThat(VerifiedTokenCache.hash(token).getBytes(StandardCharsets.ISO_8859_1)).containsExactly(expected);
    // and the kept buffer still serves the next small token correctly
    assertThat(VerifiedTokenCache.hash("x.y.z")).isNotEqualTo(VerifiedTokenCache.hash("x.y.w"));
  }

  @Test
  void theKeptBufferGrowsWithTheTokensAndStillHashesShorterOnesExactly() throws Exception {
    for (int length : new int[] {40, 3000, 41, 8192, 39}) {
      String token = "t".repeat(length - 4) + ".a.b";
      byte[] expected = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      assertThat(VerifiedTokenCache.hash(token).getBytes(StandardCharsets.ISO_8859_1)).as("length %d", length)
          .containsExactly(expected);
    }
  }
}
