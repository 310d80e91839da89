package io.apisec.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Format;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.format.UriFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainUriFormatTest {
  private static final Format NETWORKNT = new UriFormat();
  private final PlainUriFormat format = PlainUriFormat.INSTANCE;

  @Test
  void everyVerdictIsNetworkntsOwnAcrossGeneratedUris() {
    Random random = new Random(20261122);
    NetworkntVerdicts.assertSameVerdicts(format, NETWORKNT, () -> uri(random), 60_000, 1_000);
  }


  @ParameterizedTest
  @ValueSource(strings = {
      "https://client.example.com/hooks/orders", "http://localhost:8080", "HTTPS://EXAMPLE.COM/A?b=c&d=e",
      "h2c+x-y.z://a-b.c9/~user/./x/../y?", "http://127.0.0.1:65535/", "urn-ish://x", "http://host.123/p",
      "http://999.1.1.1/p", "ftp://a/b/c?d=/e/",
  })
  void theUsualUriIsAcceptedWithoutBuildingOne(String uri) {
    assertThat(format.acceptsWithoutNetworknt(uri)).isTrue();
    assertThat(NETWORKNT.matches(null, uri)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "https://", "mailto:ana@example.com", "urn:isbn:0451450523", "https://user@example.com/",
      "https://example.com/a%20b", "https://example.com/#top", "https://[::1]:8443/x", "https://example.com/a?b=[1]",
      "https://exämple.com/", "https://example.com/a b", "/relative/path", "//example.com/x", "https://-a.com/",
      "https://example.com:/x", "https://a..b/", "https://example.com/\u007f", "1http://example.com/",
  })
  void everyOtherValueGetsNetworkntsVerdict(String uri) {
    assertThat(format.acceptsWithoutNetworknt(uri)).isFalse();
    assertThat(format.matches(null, uri)).isEqualTo(NETWORKNT.matches(null, uri));
  }

  @Test
  void compiledSchemasAssertUriThroughIt() {
    JsonSchema schema = new SchemaCompiler("2020-12")
        .compile("{\"type\":\"string\",\"format\":\"uri\"}", false).schema();
    AtomicReference<Format> uri = new AtomicReference<>();
    JsonMetaSchema.builder(schema.getValidationContext().getMetaSchema()).formats(formats -> uri.set(formats.get("uri")));
    assertThat(uri.get()).isSameAs(PlainUriFormat.INSTANCE);
    assertThat(schema.validate(TextNode.valueOf("https://client.example.com/hooks/orders"))).isEmpty();
    assertThat(schema.validate(TextNode.valueOf("/relative/path"))).isNotEmpty();
    assertThat(schema.validate(TextNode.valueOf("https://example.com/a?b=[1]"))).isNotEmpty();
  }

  /** URIs near the fast answer's edges: mostly well-formed parts, with one thing off now and then. */
  private static String uri(Random random) {
    StringBuilder text = new StringBuilder(SCHEMES[random.nextInt(SCHEMES.length)]);
    text.append(random.nextInt(12) == 0 ? ":" : random.nextInt(12) == 0 ? ":/" : "://");
    if (random.nextInt(20) == 0) {
      text.append(run(random, LABEL, 1 + random.nextInt(4))).append('@');
    }
    int labels = 1 + random.nextInt(3);
    for (int i = 0; i < labels; i++) {
      if (i > 0) {
        text.append(random.nextInt(25) == 0 ? ".." : ".");
      }
      text.append(run(random, LABEL, random.nextInt(random.nextInt(10) == 0 ? 70 : 7)));
    }
    if (random.nextInt(4) == 0) {
      text.append(':').append(run(random, "0123456789", random.nextInt(7)));
    }
    int segments = random.nextInt(4);
    for (int i = 0; i < segments; i++) {
      text.append('/').append(run(random, PATH, random.nextInt(6)));
    }
    if (random.nextInt(3) == 0) {
      text.append('?').append(run(random, QUERY, random.nextInt(10)));
    }
    if (random.nextInt(15) == 0) {
      text.append('#').append(run(random, PATH, random.nextInt(4)));
    }
    return text.toString();
  }

  private static String run(Random random, String alphabet, int length) {
    StringBuilder run = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      String from = random.nextInt(30) == 0 ? AWKWARD : alphabet;
      run.append(from.charAt(random.nextInt(from.length())));
    }
    return run.toString();
  }

  private static final String[] SCHEMES = {"http", "https", "HTTPS", "ftp", "h2c+x-y.z", "a", "1ab", "", "ht tp", "é"};
  private static final String LABEL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789--";
  private static final String PATH = "abcdefghijklmnopqrstuvwxyz0123456789-._~/";
  private static final String QUERY = "abcdefghijklmnopqrstuvwxyz0123456789-._~/=&=&";
  private static final String AWKWARD = " %#[]@:?!$'()*+,;\"<>\\^`{|}\u007f\u0000éß\u00a0\n";
}
