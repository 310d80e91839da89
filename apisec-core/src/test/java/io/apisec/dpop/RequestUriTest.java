package io.apisec.dpop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The normal form that a proof's {@code htu} and the request's URL are compared in (RFC 3986 §6.2.2, §6.2.3). */
class RequestUriTest {
  @Test
  void schemeAndHostCaseDefaultPortsAndEmptyPathsAreNormalised() {
    assertThat(RequestUri.htu("HTTPS://Api.Example.COM:443")).isEqualTo("https://api.example.com/");
    assertThat(RequestUri.htu("http://api.example.com:80/a")).isEqualTo("http://api.example.com/a");
    assertThat(RequestUri.htu("https://api.example.com:8443/a")).isEqualTo("https://api.example.com:8443/a");
    assertThat(RequestUri.htu("https://[2001:DB8::1]:443/a")).isEqualTo("https://[2001:db8::1]/a");
    assertThat(RequestUri.normalise("https", "api.example.com:443", "")).isEqualTo("https://api.example.com/");
  }

  @Test
  void percentEncodingsAreUpperCasedAndUnreservedOnesDecoded() {
    assertThat(RequestUri.htu("https://a.example/%7euser/%2f%41")).isEqualTo("https://a.example/~user/%2FA");
    assertThat(RequestUri.normalise("https", "a.example", "/%7Euser/%2F%41")).isEqualTo("https://a.example/~user/%2FA");
  }

  @Test
  void queryAndFragmentOfTheHtuAreIgnored() {
    assertThat(RequestUri.htu("https://a.example/p?x=1#f")).isEqualTo("https://a.example/p");
  }

  @Test
  void whatIsNoHttpUrlHasNoNormalForm() {
    assertThat(RequestUri.htu("/relative")).isNull();
    assertThat(RequestUri.htu("ftp://a.example/p")).isNull();
    assertThat(RequestUri.htu("https://user@a.example/p")).isNull();
    assertThat(RequestUri.htu("https://a.example:99999/p")).isNull();
    assertThat(RequestUri.htu("https://a.example:0/p")).isNull();
    assertThat(RequestUri.htu("https://a.example/%zz")).isNull();
    assertThat(RequestUri.normalise("https", "a.example:x", "/")).isNull();
    assertThat(RequestUri.normalise("https", "a example", "/")).isNull();
    assertThat(RequestUri.normalise("https", "[::1", "/")).isNull();
  }
}
