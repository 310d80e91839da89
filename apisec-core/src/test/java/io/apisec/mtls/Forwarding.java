package io.apisec.mtls;

import io.apisec.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Writes forwarded-certificate headers the way Envoy, nginx and RFC 9440 proxies do. */
final class Forwarding {
  private Forwarding() {}

  /** Percent-encodes everything but RFC 3986 unreserved characters (as nginx and Envoy do). */
  static String urlEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
      char c = (char) b;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  static String pemHeader(List<X509Certificate> chain) {
    return urlEncode(TestPki.pem(chain.toArray()));
  }

  static String xfcc(List<X509Certificate> chain) {
    X509Certificate leaf = chain.get(0);
    StringBuilder element = new StringBuilder("By=spiffe://example.org/gateway;Hash=")
        .append(HexFormat.of().formatHex(Certificates.sha256(der(leaf))))
        .append(";Cert=\"").append(urlEncode(TestPki.pem(leaf))).append('"');
    if (chain.size() > 1) {
      element.append(";Chain=\"").append(urlEncode(TestPki.pem(chain.toArray()))).append('"');
    }
    element.append(";Subject=\"").append(leaf.getSubjectX500Principal().getName().replace("\"", "\\\"")).append('"');
    var identity = Certificates.identity(leaf);
    for (String uri : identity.uris()) {
      element.append(";URI=").append(uri);
    }
    for (String dns : identity.dnsNames()) {
      element.append(";DNS=").append(dns);
    }
    return element.toString();
  }

  static String sfBinary(X509Certificate certificate) {
    return ":" + Base64.getEncoder().encodeToString(der(certificate)) + ":";
  }

  static String sfChain(List<X509Certificate> rest) {
    StringBuilder out = new StringBuilder();
    for (X509Certificate certificate : rest) {
      out.append(out.length() == 0 ? "" : ", ").append(sfBinary(certificate));
    }
    return out.toString();
  }

  static byte[] der(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
