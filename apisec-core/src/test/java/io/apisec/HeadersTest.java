package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HeadersTest {
  @Test
  void namesCompareCaseInsensitivelyWhateverTheDefaultLocale() {
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      Headers headers = Headers.of("AUTHORIZATION", "Bearer x", "Content-Type", "application/json");
      assertThat(headers.firstOrNull("authorization")).isEqualTo("Bearer x");
      assertThat(headers.names()).containsExactly("authorization", "content-type");
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void repeatedFieldsKeepTheirOrder() {
    Headers headers = Headers.of("X-Forwarded-For", "1.1.1.1", "x-forwarded-for", "2.2.2.2");
    assertThat(headers.all("X-FORWARDED-FOR")).containsExactly("1.1.1.1", "2.2.2.2");
    assertThat(headers.count("x-forwarded-for")).isEqualTo(2);
  }

  @Test
  void toStringNeverShowsValues() {
    assertThat(Headers.of("Authorization", "Bearer secret").toString()).doesNotContain("secret");
  }

  @Test
  void withReplacesAndWithoutRemoves() {
    Headers headers = Headers.of("a", "1", "b", "2", "a", "3");
    assertThat(headers.with("A", "9").all("a")).containsExactly("9");
    assertThat(headers.without(java.util.Set.of("a")).names()).containsExactly("b");
  }

  @Test
  void usualAndUnusualSpellingsOfAFieldFoldToTheSameName() {
    Headers headers = Headers.of("Content-Type", "a", "CONTENT-TYPE", "b", "content-type", "c", "Content-type", "d",
        "DPoP", "e", "Dpop", "f");
    assertThat(headers.all("content-type")).containsExactly("a", "b", "c", "d");
    assertThat(headers.all("DPOP")).containsExactly("e", "f");
    assertThat(headers.names()).containsExactly("content-type", "dpop");
  }

  @Test
  void eachSpellingFoldedWithoutAllocatingFoldsToItsLowerCase() {
    List<String> spellings = List.of("Host", "Accept", "Authorization", "Content-Type", "Content-Length",
        "User-Agent", "Accept-Encoding", "Connection", "Transfer-Encoding", "X-Forwarded-For", "X-Request-Id",
        "DPoP", "X-Request-ID", "X-Content-Type-Options", "Strict-Transport-Security", "Cache-Control",
        "WWW-Authenticate", "RateLimit-Policy", "RateLimit", "X-RateLimit-Limit", "X-RateLimit-Remaining",
        "X-RateLimit-Reset", "Retry-After", "X-Unusual-Field");
    for (String name : spellings) {
      assertThat(Headers.fold(name)).as(name).isEqualTo(name.toLowerCase(Locale.ROOT));
    }
  }
  @Test
  void aBuilderGrowsPastItsFirstArrayAndWhatItBuiltStaysAsBuilt() {
    Headers.Builder builder = Headers.builder().addAll(Headers.of("A", "0"));
    for (int i = 1; i < 40; i++) {
      builder.add("X-" + (i % 3), Integer.toString(i));
    }
    Headers first = builder.build();
    builder.add("X-0", "after").addAll(first);
    Headers second = builder.build();
    assertThat(first.size()).isEqualTo(40);
    assertThat(first.all("x-0")).hasSize(13).doesNotContain("after");
    assertThat(second.size()).isEqualTo(81);
    assertThat(second.all("x-0")).hasSize(27).contains("after");
    assertThat(Headers.builder().build()).isSameAs(Headers.empty());
  }
}
