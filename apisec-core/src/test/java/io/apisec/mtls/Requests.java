package io.apisec.mtls;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/** Builds request views for the mTLS tests and evaluates them synchronously. */
final class Requests {
  private Requests() {}

  static RequestView request(String target, String peer, List<X509Certificate> chain, String... headers) {
    try {
      return RequestView.builder()
          .method("GET")
          .target(target)
          .headers(Headers.of(headers))
          .remoteAddress(new InetSocketAddress(InetAddress.getByName(peer), 40000))
          .tls(chain == null ? null : new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", chain))
          .build();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  static Decision evaluate(ApiSecurity security, RequestView request) {
    return security.evaluate(request).toCompletableFuture().join();
  }

  static String detail(Decision decision) {
    return decision instanceof Decision.Deny ? ((Decision.Deny) decision).detail() : "(allowed)";
  }
}
