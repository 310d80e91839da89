package io.apisec.dpop;

import io.apisec.RequestView;
import io.apisec.internal.ForwardedElements;
import io.apisec.internal.TrustedProxies;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * The URL a client addressed, as a DPoP proof's {@code htu} names it, in one normal form (RFC
 * 3986 §6.2.2 and §6.2.3: scheme and host in lower case, the scheme's default port dropped, an
 * empty path as {@code /}, percent-encodings in upper case with unreserved characters decoded;
 * no query or fragment) so that the two compare as strings.
 *
 * <p>The request's own URL comes from the configured public base URL when set, else from the
 * trusted proxy's {@code Forwarded} (proto, host) or {@code X-Forwarded-Proto}/{@code -Host}
 * headers — whichever the configured client-IP header names — and otherwise from the connection
 * (TLS or not) and the {@code Host} header. Stateless and thread-safe.
 */
final class RequestUri {
  private final URI publicBaseUrl;
  private final TrustedProxies proxies;

  RequestUri(URI publicBaseUrl, TrustedProxies proxies) {
    this.publicBaseUrl = publicBaseUrl;
    this.proxies = proxies;
  }

  /** The normal form of the URL this request addressed, or null when it cannot be told. */
  String of(RequestView request) {
    String path = request.rawPath();
    if (publicBaseUrl != null) {
      String prefix = publicBaseUrl.getRawPath() == null ? "" : publicBaseUrl.getRawPath();
      if (prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
      return normalise(publicBaseUrl.getScheme(), publicBaseUrl.getRawAuthority(), prefix + path);
    }
    String scheme = request.secure() ? "https" : "http";
    String host = request.headers().firstOrNull("host");
    if (proxies.peerIsTrusted(request)) {
      String[] forwarded = proxies.header() == TrustedProxies.ClientIpHeader.FORWARDED
          ? forwarded(request.headers().all("forwarded"))
          : new String[] {first(request.headers().firstOrNull("x-forwarded-proto")),
              first(request.headers().firstOrNull("x-forwarded-host"))};
      if (forwarded == null) {
        return null;
      }
      scheme = forwarded[0] == null ? scheme : forwarded[0];
      host = forwarded[1] == null ? host : forwarded[1];
    }
    return host == null ? null : normalise(scheme, host, path);
  }

  /** The first proxy's {@code proto} and {@code host} (either may be null), or null when malformed. */
  private static String[] forwarded(List<String> fields) {
    if (fields.isEmpty()) {
      return new String[2];
    }
    List<List<String[]>> elements = ForwardedElements.parse(fields.get(0));
    if (elements == null) {
      return null;
    }
    String[] out = new String[2];
    for (String[] pair : elements.get(0)) {
      String key = pair[0].toLowerCase(Locale.ROOT);
      if (key.equals("proto")) {
        out[0] = pair[1];
      } else if (key.equals("host")) {
        out[1] = pair[1];
      }
    }
    return out;
  }

  private static String first(String list) {
    if (list == null) {
      return null;
    }
    int comma = list.indexOf(',');
    String value = (comma < 0 ? list : list.substring(0, comma)).trim();
    return value.isEmpty() ? null : value;
  }

  /** The normal form of a proof's {@code htu} (query and fragment ignored), or null when it is no http(s) URL. */
  static String htu(String htu) {
    URI uri;
    try {
      uri = new URI(htu);
    } catch (URISyntaxException e) {
      return null;
    }
    if (!uri.isAbsolute() || uri.isOpaque() || uri.getRawAuthority() == null || uri.getRawUserInfo() != null) {
      return null;
    }
    return normalise(uri.getScheme(), uri.getRawAuthority(), uri.getRawPath());
  }

  /** {@code scheme://authority/path} in normal form, or null when a part is not valid. */
  static String normalise(String scheme, String authority, String rawPath) {
    String s = scheme.toLowerCase(Locale.ROOT);
    if (!s.equals("https") && !s.equals("http")) {
      return null;
    }
    String a = authority.toLowerCase(Locale.ROOT);
    String host = a;
    String port = null;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = a.substring(0, close + 1);
      if (close + 1 < a.length()) {
        if (a.charAt(close + 1) != ':') {
          return null;
        }
        port = a.substring(close + 2);
      }
    } else {
      int colon = a.indexOf(':');
      if (colon >= 0) {
        host = a.substring(0, colon);
        port = a.substring(colon + 1);
      }
    }
    if (host.isEmpty() || !validHost(host)) {
      return null;
    }
    if (port != null && !port.isEmpty()) {
      if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int number = Integer.parseInt(port);
      if (number == 0 || number > 65535) {
        return null;
      }
      port = (s.equals("https") && number == 443) || (s.equals("http") && number == 80) ? null : Integer.toString(number);
    } else {
      port = null;
    }
    String path = path(rawPath == null || rawPath.isEmpty() ? "/" : rawPath);
    if (path == null) {
      return null;
    }
    return s + "://" + host + (port == null ? "" : ":" + port) + path;
  }

  private static boolean validHost(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~%!$&'()*+,;=:[]".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Upper-case percent-encodings, decoded where they encode an unreserved character; null if malformed. */
  private static String path(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= raw.length()) {
        return null;
      }
      int hi = Character.digit(raw.charAt(i + 1), 16);
      int lo = Character.digit(raw.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      char decoded = (char) (hi * 16 + lo);
      if (decoded >= 'A' && decoded <= 'Z' || decoded >= 'a' && decoded <= 'z' || decoded >= '0' && decoded <= '9'
          || decoded == '-' || decoded == '.' || decoded == '_' || decoded == '~') {
        out.append(decoded);
      } else {
        out.append('%').append(Character.toUpperCase(raw.charAt(i + 1))).append(Character.toUpperCase(raw.charAt(i + 2)));
      }
      i += 2;
    }
    return out.toString();
  }
}
