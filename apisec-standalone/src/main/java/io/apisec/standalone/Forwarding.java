package io.apisec.standalone;

import io.apisec.CertificateIdentity;
import io.apisec.Claims;
import io.apisec.Identity;
import io.apisec.internal.Json;
import io.apisec.internal.TrustedProxies;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rewrites the headers of a request on its way upstream and of the answer on its way back:
 * hop-by-hop headers removed, {@code X-Forwarded-*} and {@code Forwarded} set, identity headers
 * stripped from the client's request and then filled from the verified identity. Immutable.
 */
final class Forwarding {
  /** Hop-by-hop headers (RFC 9110 section 7.6.1) and their legacy companions. */
  static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
      "te", "trailer", "transfer-encoding", "upgrade");

  private final Map<String, String> identityHeaders;
  private final Set<String> stripped;
  private final TrustedProxies trustedProxies;

  Forwarding(Map<String, String> identityHeaders, TrustedProxies trustedProxies) {
    this.identityHeaders = Map.copyOf(identityHeaders);
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    names.addAll(identityHeaders.values());
    this.stripped = names;
    this.trustedProxies = trustedProxies;
  }

  /**
   * Prepares the headers of an allowed request in place, before the proxy copies them (the
   * adapter has already put the pipeline's upstream headers, such as the request id, on it).
   *
   * @param webSocket whether this is a WebSocket upgrade, whose Upgrade and Connection headers stay
   */
  void prepareRequest(HttpServerRequest request, Identity identity, boolean webSocket) {
    MultiMap headers = request.headers();
    String transferEncoding = headers.get("transfer-encoding");
    removeHopByHop(headers, webSocket);
    if (transferEncoding != null && !webSocket) {
      // the proxy frames the upstream request from it (and does not copy it): chunked stays chunked
      headers.set("transfer-encoding", transferEncoding);
    }
    for (String name : stripped) {
      headers.remove(name);
    }
    String peer = request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
    boolean trusted = peer != null && !peer.isEmpty() && trusted(peer);
    String proto = request.isSSL() ? "https" : "http";
    HostAndPort authority = request.authority();
    String host = authority == null ? "" : authority.toString();

    String priorFor = trusted ? headers.getAll("x-forwarded-for").stream().reduce((a, b) -> a + ", " + b).orElse("") : "";
    headers.set("X-Forwarded-For", priorFor.isEmpty() ? peer : priorFor + ", " + peer);
    if (!trusted || !headers.contains("x-forwarded-proto")) {
      headers.set("X-Forwarded-Proto", proto);
    }
    if (!trusted || !headers.contains("x-forwarded-host")) {
      if (host.isEmpty()) {
        headers.remove("X-Forwarded-Host");
      } else {
        headers.set("X-Forwarded-Host", host);
      }
    }
    String element = "for=" + forwardedNode(peer) + ";proto=" + proto
        + (host.isEmpty() ? "" : ";host=" + quoted(host));
    String priorForwarded = trusted ? String.join(", ", headers.getAll("forwarded")) : "";
    headers.set("Forwarded", priorForwarded.isEmpty() ? element : priorForwarded + ", " + element);

    identity(identity).forEach(headers::set);
  }

  /** Removes hop-by-hop and version-banner headers from an upstream answer. */
  static void prepareResponse(MultiMap headers) {
    removeHopByHop(headers, false);
    headers.remove("server");
    headers.remove("x-powered-by");
  }

  private static void removeHopByHop(MultiMap headers, boolean webSocket) {
    for (String connection : headers.getAll("connection")) {
      for (String token : connection.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !(webSocket && name.equals("upgrade"))) {
          headers.remove(name);
        }
      }
    }
    for (String name : HOP_BY_HOP) {
      if (webSocket && (name.equals("upgrade") || name.equals("connection"))) {
        continue;
      }
      headers.remove(name);
    }
  }

  /** The identity facts configured to go upstream, with header-safe values. */
  Map<String, String> identity(Identity identity) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> field : identityHeaders.entrySet()) {
      String value = value(field.getKey(), identity);
      if (value != null && !value.isEmpty()) {
        out.put(field.getValue(), headerSafe(value));
      }
    }
    return out;
  }

  private static String value(String field, Identity identity) {
    java.util.Optional<Claims> claims = identity.claims();
    java.util.Optional<CertificateIdentity> certificate = identity.certificate();
    switch (field) {
      case "subject":
        return claims.flatMap(Claims::subject).orElse(null);
      case "issuer":
        return claims.flatMap(Claims::issuer).orElse(null);
      case "client-id":
        return claims.flatMap(Claims::clientId).orElse(null);
      case "scopes":
        return claims.map(c -> String.join(" ", new TreeSet<>(c.scopes()))).orElse(null);
      case "principal":
        return identity.principalName().orElse(null);
      case "certificate-subject":
        return certificate.map(CertificateIdentity::subject).orElse(null);
      case "certificate-thumbprint":
        return certificate.map(CertificateIdentity::sha256Thumbprint).orElse(null);
      case "certificate-spiffe-id":
        return certificate.flatMap(CertificateIdentity::spiffeId).orElse(null);
      case "client-ip":
        return identity.clientIp();
      default:
        return null;
    }
  }

  /**
   * Keeps printable ASCII as it is and percent-encodes the rest, so that a claim can never break
   * the header block (CR, LF) or be read differently by the upstream.
   */
  static String headerSafe(String value) {
    if (isPrintableAsciiWithoutPercent(value)) {
      return value; // the usual case: nothing to encode, nothing to allocate
    }
    StringBuilder out = new StringBuilder(value.length());
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static boolean isPrintableAsciiWithoutPercent(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '%') {
        return false;
      }
    }
    return true;
  }

  private boolean trusted(String ip) {
    try {
      return trustedProxies.isTrusted(InetAddress.getByName(ip).getAddress());
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String forwardedNode(String ip) {
    if (ip == null || ip.isEmpty()) {
      return "unknown";
    }
    return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
  }

  private static String quoted(String value) {
    StringBuilder out = new StringBuilder();
    Json.string(out, value);
    return out.toString();
  }

  /** The names of the identity headers, which are always removed from the client's request. */
  List<String> identityHeaderNames() {
    return List.copyOf(stripped);
  }
}
