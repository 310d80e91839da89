package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathNormalizerTest {
  private final PathNormalizer normalizer = new PathNormalizer(4096);

  @ParameterizedTest
  @CsvSource({
      "/, /",
      "/v1/orders, /v1/orders",
      "/v1/orders/, /v1/orders",
      "/%61dmin, /admin",
      "/caf%C3%A9, /café",
      "/a%20b, /a b",
      "/v1/orders/A-b_c~1, /v1/orders/A-b_c~1",
  })
  void acceptsUnambiguousPathsAndDecodesThem(String raw, String expected) {
    PathNormalizer.Result result = normalizer.normalise(raw);
    assertThat(result.refusal()).isNull();
    assertThat(result.path()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/public/../admin", "/public/%2e%2e/admin", "/public/%2E%2E/admin", "/public/.%2e/admin",
      "/public/..%2fadmin", "/public/..%2Fadmin", "/./admin", "/admin/.", "/admin/..",
      "//admin", "/public//admin", "/admin%2f", "/public%5cadmin", "/public\\..\\admin",
      "/admin;jsessionid=1", "/admin%3bx", "/admin%00", "/admin%00.json", "/%c0%af", "/%C0%AE%C0%AE/admin",
      "/%e0%80%af", "/%ff", "/admin%", "/admin%2", "/admin%zz", "/admin%252e", "/a b", "/caf\u00e9",
      "admin", "", "/admin%0d%0aX:1", "/admin%7f", "/a?b", "/a#b", "/x%2e", "/x/`a", "/{a}", "/a|b", "/a^b", "/a\"b", "/<a>",
  })
  void refusesAmbiguousPaths(String raw) {
    PathNormalizer.Result result = normalizer.normalise(raw);
    assertThat(result.ok()).as(raw).isFalse();
    assertThat(result.refusal()).isNotBlank();
  }

  @org.junit.jupiter.api.Test
  void refusesOverlongPaths() {
    assertThat(new PathNormalizer(10).normalise("/abcdefghijk").ok()).isFalse();
    assertThat(new PathNormalizer(10).normalise("/abcdefghi").ok()).isTrue();
  }
}
