package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the path normaliser. Properties: it never throws; whatever it accepts has no dot or empty
 * segment, no backslash, no control character; accepting is stable (the accepted form, re-encoded,
 * normalises to itself); and it accepts nothing a strict reference (RFC 3986 path characters only)
 * would refuse.
 */
class PathNormalizerFuzzTest {
  private static final PathNormalizer NORMALIZER = new PathNormalizer(4096);

  @FuzzTest(maxDuration = "60s")
  void normaliserNeverAcceptsWhatAStrictReferenceRefuses(FuzzedDataProvider data) {
    String raw = data.consumeRemainingAsString();
    PathNormalizer.Result result = NORMALIZER.normalise(raw);
    if (!result.ok()) {
      assertThat(result.path()).isNull();
      assertThat(result.refusal()).isNotBlank();
      return;
    }
    assertThat(raw).matches("/[A-Za-z0-9\\-._~!$&'()*+,=:@%/]*");
    String path = result.path();
    assertThat(path).startsWith("/");
    assertThat(path).doesNotContain("//").doesNotContain("\\");
    for (String segment : path.substring(1).split("/", -1)) {
      assertThat(segment).isNotEqualTo(".").isNotEqualTo("..");
    }
    assertThat(path.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
    // re-encoding may triple the length: check stability without the length limit
    PathNormalizer.Result again = new PathNormalizer(Integer.MAX_VALUE).normalise(encode(path));
    assertThat(again.ok()).isTrue();
    assertThat(again.path()).isEqualTo(path);
  }

  private static String encode(String path) {
    StringBuilder out = new StringBuilder();
    for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }
}
