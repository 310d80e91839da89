package io.apisec.mtls;

import static io.apisec.mtls.ClientPki.sent;
import static io.apisec.mtls.Requests.evaluate;
import static io.apisec.mtls.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.config.MtlsSettings.ForwardedFormat;
import io.apisec.internal.IpRange;
import io.apisec.internal.TrustedProxies;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A bounded, deterministic property test of the forwarded-header parsers: random and mutated
 * inputs never make an exception escape, a parse is never both malformed and a certificate, the
 * pipeline's decision agrees with the parser's (malformed is 400, anything else is not), and
 * never answers 5xx. The seed is fixed so a failure replays; the failing input is in the message.
 */
class ForwardedHeaderFuzzTest {
  private static final long SEED = 0x5eed_2026_1122L;
  private static final int ITERATIONS = 1500;
  private static final String ALPHABET =
      "abcAZ09+/=%\"\\;,:[]_-. \t-----BEGIN CERTIFICATE-----:%2D%0A%ZZ\u00e9\u0000\u007f";
  private static final ClientPki PKI = ClientPki.INSTANCE;
  private static final String PROXY = "10.0.0.5";

  private final Random random = new Random(SEED);

  private static ApiSecurity security(ForwardedFormat format) {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .trustedProxies("10.0.0.0/8")
        .mtls(MtlsSettings.builder().trustAnchors(PKI.rootPem).forwardedHeader(format).build())
        .route(Route.builder("GET /orders").auth(AuthMode.MTLS).build())
        .build();
    return ApiSecurity.builder(config).clock(new MutableClock(ClientPki.NOW)).auditToSystemLogger(false).build();
  }

  private String mutate(String seed) {
    StringBuilder s = new StringBuilder(seed);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && s.length() > 0; e++) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(6)) {
        case 0 -> s.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
        case 2 -> s.insert(at, ALPHABET, random.nextInt(ALPHABET.length() - 4), ALPHABET.length() - random.nextInt(4));
        case 3 -> s.insert(at, s.substring(at, Math.min(s.length(), at + random.nextInt(40))));
        case 4 -> s.setLength(at);
        default -> s.insert(at, (char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return s.toString();
  }

  private String randomText() {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(120);
    for (int i = 0; i < length; i++) {
      s.append(random.nextInt(4) == 0 ? (char) (0x20 + random.nextInt(0x5f)) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  private List<String> inputs(List<String> seeds) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ITERATIONS; i++) {
      out.add(random.nextInt(5) == 0 ? randomText() : mutate(seeds.get(random.nextInt(seeds.size()))));
    }
    return out;
  }

  private void check(ForwardedFormat format, String header, List<String> seeds,
      Function<String, ForwardedCertificateParser.Parsed> parser) {
    ApiSecurity security = security(format);
    int malformed = 0;
    int accepted = 0;
    for (String input : inputs(seeds)) {
      ForwardedCertificateParser.Parsed parsed = parser.apply(input);
      assertThat(parsed.isMalformed() && !parsed.chain().isEmpty()).as("both refused and accepted: %s", input).isFalse();
      Decision decision = evaluate(security, request("/orders", PROXY, null, header, input));
      assertThat(decision.status()).as("status for %s", input).isIn(200, 400, 401, 403);
      if (decision instanceof Decision.Deny && !"mtls".equals(((Decision.Deny) decision).stage())) {
        continue; // refused by request hygiene (a control character) before the parser ran
      }
      boolean refusedAsMalformed = decision instanceof Decision.Deny
          && ((Decision.Deny) decision).reason() == DenyReason.BAD_FORWARDED_CERTIFICATE;
      assertThat(refusedAsMalformed).as("parser and pipeline disagree on %s", input).isEqualTo(parsed.isMalformed());
      if (decision instanceof Decision.Allow) {
        accepted++;
        assertThat(((Decision.Allow) decision).identity().certificate().orElseThrow().sha256Thumbprint())
            .isEqualTo(Certificates.thumbprint(parsed.chain().get(0)));
      }
      malformed += parsed.isMalformed() ? 1 : 0;
    }
    // the generator must reach both sides of the grammar, or the property says little
    assertThat(malformed).isGreaterThan(ITERATIONS / 4);
    assertThat(ITERATIONS - malformed).isGreaterThan(0);
    assertThat(accepted).isLessThanOrEqualTo(ITERATIONS - malformed);
  }

  @Test
  void xfccParserNeverThrowsAndAgreesWithThePipeline() {
    List<String> seeds = List.of(Forwarding.xfcc(sent(PKI.valid)), Forwarding.xfcc(sent(PKI.spiffe)),
        Forwarding.xfcc(sent(PKI.direct)) + "," + Forwarding.xfcc(sent(PKI.valid)), "By=a;Hash=" + "0".repeat(64));
    check(ForwardedFormat.XFCC, "X-Forwarded-Client-Cert", seeds, s -> ForwardedCertificateParser.xfcc(List.of(s)));
  }

  @Test
  void pemParserNeverThrowsAndAgreesWithThePipeline() {
    List<String> seeds = List.of(Forwarding.pemHeader(sent(PKI.valid)), Forwarding.pemHeader(sent(PKI.direct)),
        java.util.Base64.getEncoder().encodeToString(Forwarding.der(PKI.direct.certificate())));
    check(ForwardedFormat.PEM, "X-SSL-Client-Cert", seeds,
        s -> ForwardedCertificateParser.pem(List.of(s), "x-ssl-client-cert"));
  }

  @Test
  void rfc9440ParserNeverThrowsAndAgreesWithThePipeline() {
    List<String> seeds = List.of(Forwarding.sfBinary(PKI.direct.certificate()), Forwarding.sfBinary(PKI.valid.certificate()));
    check(ForwardedFormat.RFC9440, "Client-Cert", seeds,
        s -> ForwardedCertificateParser.rfc9440(List.of(s), List.of(), "client-cert", "client-cert-chain"));
  }

  @Test
  void clientIpResolutionNeverThrowsAndOnlyPicksAPeerOrAnAddressFromTheHeader() {
    TrustedProxies forwarded = new TrustedProxies(List.of(IpRange.parse("10.0.0.0/8")), TrustedProxies.ClientIpHeader.FORWARDED);
    TrustedProxies xff = new TrustedProxies(List.of(IpRange.parse("10.0.0.0/8")));
    List<String> forwardedSeeds = List.of("for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"",
        "for=\"198.51.100.17:8443\", for=10.0.0.9", "for=_hidden, for=unknown;host=example.com");
    List<String> xffSeeds = List.of("203.0.113.7, 10.0.0.9", "6.6.6.6, [2001:db8::1], 10.1.2.3");
    for (String input : inputs(forwardedSeeds)) {
      String ip = forwarded.clientIp(request("/", PROXY, null, "Forwarded", input));
      assertThat(ip.equals(PROXY) || IpRange.literal(ip) != null && input.contains(ip)).as(input + " -> " + ip).isTrue();
      assertThat(forwarded.clientIp(request("/", "192.0.2.10", null, "Forwarded", input))).isEqualTo("192.0.2.10");
    }
    for (String input : inputs(xffSeeds)) {
      String ip = xff.clientIp(request("/", PROXY, null, "X-Forwarded-For", input));
      assertThat(ip.equals(PROXY) || IpRange.literal(ip) != null && input.contains(ip)).as(input + " -> " + ip).isTrue();
    }
  }
}
