package io.apisec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the forwarded-header parsers through the pipeline: {@code X-Forwarded-For},
 * {@code Forwarded}, and forwarded client certificates (Envoy XFCC, URL-encoded PEM, RFC 9440)
 * from a trusted proxy and from an untrusted peer. Properties: never an exception or a 5xx; the
 * client IP is the peer or an address literally present in the header; an untrusted peer's headers
 * never change its client IP and never yield a certificate identity.
 */
class ForwardedHeadersFuzzTest {
  private static final ApiSecurity[] BY_FORMAT = new ApiSecurity[4];

  static {
    try {
      TestPki.Issued root = TestPki.rootCa("fuzz root");
      Path anchors = TestPki.writePem(Files.createTempFile("fuzz-root", ".pem"), root.certificate());
      MtlsSettings.ForwardedFormat[] formats = {
          MtlsSettings.ForwardedFormat.XFCC, MtlsSettings.ForwardedFormat.PEM, MtlsSettings.ForwardedFormat.RFC9440,
          MtlsSettings.ForwardedFormat.NONE};
      for (int i = 0; i < formats.length; i++) {
        ApiSecurityConfig.Builder config = ApiSecurityConfig.builder()
            .trustedProxies("10.0.0.0/8")
            .mtls(MtlsSettings.builder().trustAnchors(anchors).forwardedHeader(formats[i]).build())
            .route(Route.builder("GET /open").auth(AuthMode.NONE).build())
            .route(Route.builder("GET /mtls").auth(AuthMode.MTLS).build());
        if (i == 3) {
          config.clientIpHeader("forwarded");
        }
        BY_FORMAT[i] = ApiSecurity.builder(config.build()).auditToSystemLogger(false).build();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void forwardedHeadersNeverBreakOrSpoof(FuzzedDataProvider data) throws Exception {
    ApiSecurity security = BY_FORMAT[data.consumeInt(0, 3)];
    boolean trustedPeer = data.consumeBoolean();
    String peer = trustedPeer ? "10.0.0.5" : "192.0.2.7";
    String path = data.consumeBoolean() ? "/mtls" : "/open";
    String forwardedFor = data.consumeString(200);
    String forwarded = data.consumeString(200);
    String certificateHeader = data.consumeRemainingAsString();
    Headers headers = Headers.builder()
        .add("X-Forwarded-For", forwardedFor)
        .add("Forwarded", forwarded)
        .add("X-Forwarded-Client-Cert", certificateHeader)
        .add("X-SSL-Client-Cert", certificateHeader)
        .add("Client-Cert", certificateHeader)
        .build();
    RequestView request = RequestView.builder().method("GET").target(path).headers(headers)
        .remoteAddress(new InetSocketAddress(java.net.InetAddress.getByName(peer), 443)).build();
    Decision decision = security.evaluate(request).toCompletableFuture().get();
    assertThat(decision.status()).isLessThan(500);
    if (decision instanceof Decision.Allow allow) {
      String clientIp = allow.identity().clientIp();
      if (!trustedPeer) {
        assertThat(clientIp).isEqualTo(peer);
        assertThat(allow.identity().certificate()).isEmpty();
      } else if (!clientIp.equals(peer)) {
        String compact = clientIp.replace(":", "").toLowerCase(java.util.Locale.ROOT);
        String header = (forwardedFor + forwarded).replace(":", "").toLowerCase(java.util.Locale.ROOT);
        assertThat(header.contains(compact) || header.contains(clientIp)).as("client IP %s from the headers", clientIp).isTrue();
      }
    }
  }
}
