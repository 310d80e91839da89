package io.apisec.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Format;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.format.EmailFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DotAtomEmailFormatTest {
  private static final Format NETWORKNT = new EmailFormat();
  private final DotAtomEmailFormat format = DotAtomEmailFormat.INSTANCE;

  @TempDir Path dir;

  @Test
  void everyVerdictIsNetworkntsOwnAcrossGeneratedAddresses() {
    Random random = new Random(20261122);
    NetworkntVerdicts.assertSameVerdicts(format, NETWORKNT, () -> address(random), 60_000, 1_000);
  }


  @ParameterizedTest
  @ValueSource(strings = {
      "ana.lima@example.com", "a@b.co", "o'brien+orders@mail.example.org", "x_y-z@sub-domain.example.io",
      "!#$%&'*+-/=?^_`{|}~@example.com", "USER@EXAMPLE.COM", "1@123.com", "user@xn--bcher-kva.de",
      "host@server.localdomain",
      // networknt's limits, exactly: a 64-character local part, a 63-character label
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
      "a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com",
  })
  void theUsualAddressIsAcceptedWithoutNetworkntsExpressions(String address) {
    assertThat(format.acceptsWithoutNetworknt(address)).isTrue();
    assertThat(NETWORKNT.matches(null, address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"quoted user\"@example.com", "us\\@er@example.com", "user@[127.0.0.1]", "user@[IPv6:::1]",
      "josé@example.com", "user@bücher.de", "user@localhost",
  })
  void whatTheFastAnswerDoesNotCoverIsNetworkntsToAccept(String address) {
    assertThat(format.acceptsWithoutNetworknt(address)).isFalse();
    assertThat(format.matches(null, address)).isTrue().isEqualTo(NETWORKNT.matches(null, address));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "@", "a@", "@example.com", "a..b@example.com", ".a@example.com", "a.@example.com", "a b@example.com",
      "a@example.invalidtld", "a@-example.com", "a@example-.com", "a@example..com", "a@.example.com",
      "a@example.c0m", "a@example.123", "user@example.com.", "a@@example.com", "a@exa mple.com", "a\n@example.com", "a@example.com\n",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
      "a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.com",
  })
  void refusalsAreNetworknts(String address) {
    assertThat(format.acceptsWithoutNetworknt(address)).isFalse();
    assertThat(format.matches(null, address)).isFalse().isEqualTo(NETWORKNT.matches(null, address));
  }

  @Test
  void aDomainLongerThanNetworkntAllowsIsLeftToNetworknt() {
    String label = "b".repeat(63);
    String domain = label + "." + label + "." + label + "." + "b".repeat(57) + ".com"; // 253
    assertThat(format.acceptsWithoutNetworknt("a@" + domain)).isTrue();
    assertThat(format.acceptsWithoutNetworknt("a@b" + domain)).isFalse();
    assertThat(format.matches(null, "a@b" + domain)).isEqualTo(NETWORKNT.matches(null, "a@b" + domain));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
      "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema",
      "https://json-schema.org/draft/2020-12/schema",
  })
  void everyDraftAssertsEmailThroughIt(String draft) {
    SchemaCompiler compiler = new SchemaCompiler("2020-12");
    JsonSchema schema = compiler.compile(
        "{\"$schema\":\"" + draft + "\",\"type\":\"string\",\"format\":\"email\"}", false).schema();
    assertEmailIsOurs(schema);
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.0.3", "3.1.0"})
  void openApiDocumentsAssertEmailThroughIt(String version) throws Exception {
    Path document = Files.writeString(dir.resolve("api.yaml"), """
        openapi: %s
        info: {title: t, version: '1'}
        paths: {}
        components:
          schemas:
            Contact:
              type: string
              format: email
        """.formatted(version));
    JsonSchema schema = new SchemaCompiler("2020-12")
        .compile(document + "#/components/schemas/Contact", false).schema();
    assertEmailIsOurs(schema);
  }

  private static void assertEmailIsOurs(JsonSchema schema) {
    AtomicReference<Format> email = new AtomicReference<>();
    JsonMetaSchema.builder(schema.getValidationContext().getMetaSchema()).formats(formats -> email.set(formats.get("email")));
    assertThat(email.get()).isSameAs(DotAtomEmailFormat.INSTANCE);
    assertThat(schema.validate(TextNode.valueOf("ana.lima@example.com"))).isEmpty();
    assertThat(schema.validate(TextNode.valueOf("ana.lima@@example.com"))).isNotEmpty();
    assertThat(schema.validate(TextNode.valueOf("\"ana lima\"@example.com"))).isEmpty();
  }

  /** Addresses near the fast answer's edges: mostly well-formed parts, with one thing off now and then. */
  private static String address(Random random) {
    StringBuilder text = new StringBuilder();
    int localAtoms = 1 + random.nextInt(3);
    for (int i = 0; i < localAtoms; i++) {
      if (i > 0) {
        text.append(random.nextInt(20) == 0 ? ".." : ".");
      }
      text.append(run(random, LOCAL, 1 + random.nextInt(random.nextInt(8) == 0 ? 70 : 8)));
    }
    text.append(random.nextInt(40) == 0 ? "@@" : "@");
    int labels = random.nextInt(15) == 0 ? 1 : 2 + random.nextInt(2);
    for (int i = 0; i < labels - 1; i++) {
      text.append(run(random, LABEL, 1 + random.nextInt(random.nextInt(10) == 0 ? 70 : 6))).append('.');
    }
    text.append(TOP_LABELS[random.nextInt(TOP_LABELS.length)]);
    if (random.nextInt(30) == 0) {
      text.append('.');
    }
    return text.toString();
  }

  private static String run(Random random, String alphabet, int length) {
    StringBuilder run = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      // one in 25 characters comes from the awkward set, whatever the part
      String from = random.nextInt(25) == 0 ? AWKWARD : alphabet;
      run.append(from.charAt(random.nextInt(from.length())));
    }
    return run.toString();
  }

  private static final String LOCAL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
  private static final String LABEL = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789---";
  private static final String AWKWARD = " \t\n\r\"\\()<>[],;:@.\u0000\u007fé\u00a0\u2028ß";
  private static final String[] TOP_LABELS = {
      "com", "org", "io", "de", "COM", "localhost", "localdomain", "c0m", "123", "x", "invalidtld", "xn--p1ai",
      "-com", "com-", "[127.0.0.1]", "bücher", "co.uk",
  };
}
