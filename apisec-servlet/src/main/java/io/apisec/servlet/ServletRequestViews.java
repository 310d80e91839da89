package io.apisec.servlet;

import io.apisec.BodyTooLargeException;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.apisec.internal.IpRange;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Builds the core's request view from a servlet request. */
final class ServletRequestViews {
  private ServletRequestViews() {}

  static RequestView of(HttpServletRequest request) {
    Headers.Builder headers = Headers.builder();
    Enumeration<String> names = request.getHeaderNames();
    while (names != null && names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      while (values.hasMoreElements()) {
        headers.add(name, values.nextElement());
      }
    }
    return RequestView.builder()
        .method(request.getMethod())
        .rawPath(request.getRequestURI())
        .rawQuery(request.getQueryString())
        .headers(headers.build())
        .remoteAddress(remote(request))
        .tls(tls(request))
        .body(max -> CompletableFuture.supplyAsync(() -> read(request, max), Runnable::run))
        .build();
  }

  private static InetSocketAddress remote(HttpServletRequest request) {
    byte[] address = IpRange.literal(request.getRemoteAddr());
    if (address == null) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), request.getRemotePort());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static TlsInfo tls(HttpServletRequest request) {
    if (!request.isSecure()) {
      return null;
    }
    Object chain = request.getAttribute("jakarta.servlet.request.X509Certificate");
    List<X509Certificate> peer = chain instanceof X509Certificate[] ? List.of((X509Certificate[]) chain) : List.of();
    Object protocol = request.getAttribute("jakarta.servlet.request.secure_protocol");
    if (protocol == null) {
      protocol = request.getAttribute("org.apache.tomcat.util.net.secure_protocol_version");
    }
    Object cipher = request.getAttribute("jakarta.servlet.request.cipher_suite");
    String suite = cipher == null ? "" : cipher.toString();
    if (protocol == null && suite.startsWith("TLS_") && !suite.contains("_WITH_")) {
      // Servlet 6.0 containers (Jetty 12 EE10) do not expose the protocol; these suites exist only in TLS 1.3
      protocol = "TLSv1.3";
    }
    return new TlsInfo(protocol == null ? "" : protocol.toString(), suite, peer);
  }

  /** Reads at most {@code max} bytes, stopping at the first byte past it. */
  private static byte[] read(HttpServletRequest request, long max) {
    long declared = request.getContentLengthLong();
    if (declared > max) {
      throw new BodyTooLargeException(max);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), Math.min(max, 64 * 1024)));
    byte[] buffer = new byte[8192];
    try (InputStream in = request.getInputStream()) {
      long total = 0;
      int n;
      while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, max - total + 1))) > 0) {
        total += n;
        if (total > max) {
          throw new BodyTooLargeException(max);
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
