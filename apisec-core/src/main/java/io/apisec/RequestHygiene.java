package io.apisec;

import io.apisec.config.ApiSecurityConfig.RequestLimits;
import java.util.List;

/**
 * The checks every request passes before route matching, cheapest first: header count and size,
 * message framing (one Content-Length, never with Transfer-Encoding), then the path. Thread-safe.
 */
final class RequestHygiene {
  private final RequestLimits limits;
  private final PathNormalizer paths;

  RequestHygiene(RequestLimits limits) {
    this.limits = limits;
    this.paths = new PathNormalizer(limits.maxPathLength());
  }

  /** A denial, or null when the headers are acceptable. */
  Decision.Deny checkHeaders(Headers headers) {
    if (headers.size() > limits.maxHeaderCount()) {
      return Decision.deny(DenyReason.HEADERS_TOO_LARGE,
          "The request has more than " + limits.maxHeaderCount() + " header fields");
    }
    long[] bytes = {0};
    boolean[] badValue = {false};
    headers.forEach((name, value) -> {
      bytes[0] += name.length() + value.length() + 4;
      // three indexOf scans, which the JIT vectorises, beat one loop over a 600-character token
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf(0) >= 0) {
        badValue[0] = true;
      }
    });
    if (bytes[0] > limits.maxHeaderBytes()) {
      return Decision.deny(DenyReason.HEADERS_TOO_LARGE,
          "The request headers exceed " + limits.maxHeaderBytes() + " bytes");
    }
    if (badValue[0]) {
      return Decision.deny(DenyReason.BAD_REQUEST, "A header value contains CR, LF or NUL");
    }
    List<String> lengths = headers.all("content-length");
    boolean chunked = headers.contains("transfer-encoding");
    if (chunked && !lengths.isEmpty()) {
      return Decision.deny(DenyReason.BAD_FRAMING, "The request has both Content-Length and Transfer-Encoding");
    }
    if (lengths.size() > 1) {
      return Decision.deny(DenyReason.BAD_FRAMING, "The request has more than one Content-Length");
    }
    if (lengths.size() == 1 && !isDigits(lengths.get(0))) {
      return Decision.deny(DenyReason.BAD_FRAMING, "The Content-Length is not a decimal number");
    }
    if (chunked) {
      List<String> codings = headers.all("transfer-encoding");
      if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
        return Decision.deny(DenyReason.BAD_FRAMING, "Transfer-Encoding other than a single 'chunked' is refused");
      }
    }
    if (headers.count("host") > 1) {
      return Decision.deny(DenyReason.BAD_REQUEST, "The request has more than one Host");
    }
    return null;
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  PathNormalizer.Result normalisePath(String rawPath) {
    return paths.normalise(rawPath);
  }
}
