package io.apisec.mtls;

import static io.apisec.mtls.Requests.evaluate;
import static io.apisec.mtls.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.internal.IpRange;
import io.apisec.internal.TrustedProxies;
import io.apisec.internal.TrustedProxies.ClientIpHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientIpTest {
  private static final TrustedProxies XFF =
      new TrustedProxies(List.of(IpRange.parse("10.0.0.0/8"), IpRange.parse("fd00::/8")), ClientIpHeader.X_FORWARDED_FOR);
  private static final TrustedProxies FORWARDED =
      new TrustedProxies(List.of(IpRange.parse("10.0.0.0/8"), IpRange.parse("fd00::/8")), ClientIpHeader.FORWARDED);

  private static String xff(String peer, String... headers) {
    return XFF.clientIp(request("/", peer, null, headers));
  }

  private static String fwd(String peer, String... headers) {
    return FORWARDED.clientIp(request("/", peer, null, headers));
  }

  @Test
  void anUntrustedPeerCannotChooseItsClientIpWithXForwardedFor() {
    assertThat(xff("192.0.2.10", "X-Forwarded-For", "203.0.113.99")).isEqualTo("192.0.2.10");
    assertThat(xff("192.0.2.10", "X-Forwarded-For", "10.0.0.7")).isEqualTo("192.0.2.10");
  }

  @Test
  void anUntrustedPeerCannotChooseItsClientIpWithForwarded() {
    assertThat(fwd("192.0.2.10", "Forwarded", "for=203.0.113.99")).isEqualTo("192.0.2.10");
  }

  @Test
  void theRightMostUntrustedXForwardedForHopIsTheClient() {
    assertThat(xff("10.0.0.5", "X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.9")).isEqualTo("203.0.113.7");
    assertThat(xff("10.0.0.5", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "203.0.113.7")).isEqualTo("203.0.113.7");
  }

  @Test
  void aChainOfOnlyTrustedHopsEndsAtItsLeftMostHop() {
    assertThat(xff("10.0.0.5", "X-Forwarded-For", "10.1.1.1, 10.0.0.9")).isEqualTo("10.1.1.1");
    assertThat(xff("10.0.0.5")).isEqualTo("10.0.0.5");
  }

  @Test
  void anUnparseableXForwardedForHopEndsTheChain() {
    assertThat(xff("10.0.0.5", "X-Forwarded-For", "203.0.113.7, evil.example, 10.0.0.9")).isEqualTo("10.0.0.9");
  }

  @Test
  void forwardedNodesWithPortsQuotedIpv6AndParametersResolve() {
    assertThat(fwd("10.0.0.5", "Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43")).isEqualTo("192.0.2.60");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe::17");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=\"198.51.100.17:8443\", For=10.0.0.9")).isEqualTo("198.51.100.17");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=6.6.6.6, for=203.0.113.7;proto=https, for=\"[fd00::1]\""))
        .isEqualTo("203.0.113.7");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=6.6.6.6", "Forwarded", "for=203.0.113.7")).isEqualTo("203.0.113.7");
  }

  @Test
  void obfuscatedAndUnknownForwardedNodesEndTheChain() {
    assertThat(fwd("10.0.0.5", "Forwarded", "for=203.0.113.7, for=_hidden, for=10.0.0.9")).isEqualTo("10.0.0.9");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=203.0.113.7, for=unknown")).isEqualTo("10.0.0.5");
    assertThat(fwd("10.0.0.5", "Forwarded", "for=\"10.0.0.8:_port\", for=203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(fwd("10.0.0.5", "Forwarded", "proto=https")).isEqualTo("10.0.0.5");
  }

  @Test
  void malformedForwardedFieldsAreNotBelieved() {
    for (String field : List.of("for=2001:db8::1", "for=\"[2001:db8::1\"", "for=1.2.3.4;;", "for=\"1.2.3.4", "for=1.2.3.4:99999",
        "=1.2.3.4", "for=1.2.3.4;for=5.6.7.8", "for=\"[1.2.3.4]\"", "for=01.2.3.4")) {
      assertThat(fwd("10.0.0.5", "Forwarded", field)).as(field).isEqualTo("10.0.0.5");
    }
    assertThat(fwd("10.0.0.5", "Forwarded", "for=6.6.6.6", "Forwarded", "for=\"broken")).isEqualTo("10.0.0.5");
  }

  @Test
  void theHeaderNotConfiguredCannotBeUsedToSpoof() {
    assertThat(fwd("10.0.0.5", "X-Forwarded-For", "6.6.6.6", "Forwarded", "for=203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(xff("10.0.0.5", "Forwarded", "for=6.6.6.6", "X-Forwarded-For", "203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(fwd("10.0.0.5", "X-Forwarded-For", "6.6.6.6")).isEqualTo("10.0.0.5");
  }

  @Test
  void thePipelineReportsTheResolvedClientIpInTheIdentity() {
    ApiSecurityConfig config = ApiSecurityConfig.builder().trustedProxies("10.0.0.0/8").clientIpHeader("forwarded")
        .route(Route.builder("GET /public").auth(AuthMode.NONE).build()).build();
    ApiSecurity security = ApiSecurity.builder(config).auditToSystemLogger(false).build();
    Decision trusted = evaluate(security, request("/public", "10.0.0.5", null, "Forwarded", "for=203.0.113.7"));
    assertThat(((Decision.Allow) trusted).identity().clientIp()).isEqualTo("203.0.113.7");
    Decision spoofed = evaluate(security, request("/public", "192.0.2.10", null, "Forwarded", "for=203.0.113.7",
        "X-Forwarded-For", "203.0.113.8"));
    assertThat(((Decision.Allow) spoofed).identity().clientIp()).isEqualTo("192.0.2.10");
  }
}
