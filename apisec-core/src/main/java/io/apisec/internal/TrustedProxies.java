package io.apisec.internal;

import io.apisec.Headers;
import io.apisec.RequestView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The proxies whose forwarding headers are believed. The client IP is the right-most hop of
 * {@code X-Forwarded-For} (or of the RFC 7239 {@code Forwarded} header, when configured so) that
 * is not a trusted proxy; a request from an untrusted peer has its peer address as client IP
 * whatever headers it sends. Immutable and thread-safe; never throws on malformed headers.
 */
public final class TrustedProxies {
  /** Which header carries the forwarding chain: the one the trusted proxies actually write. */
  public enum ClientIpHeader {
    X_FORWARDED_FOR("x-forwarded-for"),
    FORWARDED("forwarded");

    private final String configName;

    ClientIpHeader(String configName) {
      this.configName = configName;
    }

    /** The name used in configuration files, which is also the header name. */
    public String configName() {
      return configName;
    }

    /** Parses a configuration name; {@code null} when unknown. */
    public static ClientIpHeader fromConfigName(String name) {
      for (ClientIpHeader header : values()) {
        if (header.configName.equals(name)) {
          return header;
        }
      }
      return null;
    }
  }

  private final List<IpRange> ranges;
  private final ClientIpHeader header;

  public TrustedProxies(List<IpRange> ranges) {
    this(ranges, ClientIpHeader.X_FORWARDED_FOR);
  }

  public TrustedProxies(List<IpRange> ranges, ClientIpHeader header) {
    this.ranges = List.copyOf(ranges);
    this.header = java.util.Objects.requireNonNull(header, "header");
  }

  public List<IpRange> ranges() {
    return ranges;
  }

  public ClientIpHeader header() {
    return header;
  }

  public boolean isTrusted(byte[] address) {
    for (IpRange range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the immediate peer of this request is a trusted proxy. */
  public boolean peerIsTrusted(RequestView request) {
    InetSocketAddress peer = request.remoteAddress();
    return peer != null && peer.getAddress() != null && !ranges.isEmpty() && isTrusted(peer.getAddress().getAddress());
  }

  /** The peer's address text, or empty when unknown. */
  public static String peerIp(RequestView request) {
    InetSocketAddress peer = request.remoteAddress();
    return peer == null || peer.getAddress() == null ? "" : peer.getAddress().getHostAddress();
  }

  /** Resolves the client IP: the right-most untrusted forwarded hop, else the peer. */
  public String clientIp(RequestView request) {
    String peer = peerIp(request);
    if (!peerIsTrusted(request)) {
      return peer;
    }
    List<String> hops = header == ClientIpHeader.FORWARDED
        ? forwardedHops(request.headers().all("forwarded"))
        : forwardedForHops(request.headers().all("x-forwarded-for"));
    String candidate = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      byte[] address = hop == null ? null : IpRange.literal(hop);
      if (address == null) {
        // an unparseable or obfuscated hop ends the chain of trust: the hop behind it is the client as we know it
        return candidate;
      }
      candidate = hop.startsWith("[") ? hop.substring(1, hop.length() - 1) : hop;
      if (!isTrusted(address)) {
        return candidate;
      }
    }
    return candidate;
  }

  private static List<String> forwardedForHops(List<String> fields) {
    List<String> hops = new ArrayList<>();
    for (String field : fields) {
      for (String hop : field.split(",", -1)) {
        hops.add(hop.trim());
      }
    }
    return hops;
  }

  /**
   * The {@code for=} nodes of RFC 7239 {@code Forwarded} fields, left to right, each an IP literal
   * without port, or {@code null} for a node that is no IP ({@code unknown}, an obfuscated
   * {@code _identifier}, an element without {@code for}). A field that does not parse makes the
   * whole header untrustworthy: the chain then ends at the peer.
   */
  static List<String> forwardedHops(List<String> fields) {
    List<String> hops = new ArrayList<>();
    for (String field : fields) {
      List<List<String[]>> elements = ForwardedElements.parse(field);
      if (elements == null) {
        hops.clear();
        hops.add(null);
        continue;
      }
      for (List<String[]> element : elements) {
        String node = null;
        boolean seen = false;
        for (String[] pair : element) {
          if (pair[0].toLowerCase(Locale.ROOT).equals("for")) {
            if (seen) {
              node = null;
              break;
            }
            seen = true;
            node = nodeAddress(pair[1]);
          }
        }
        hops.add(node);
      }
    }
    return hops;
  }

  /** The IP of an RFC 7239 node ({@code 192.0.2.1}, {@code 192.0.2.1:80}, {@code [2001:db8::1]:443}); null otherwise. */
  static String nodeAddress(String node) {
    String host = node;
    String port = null;
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = node.substring(1, close);
      String rest = node.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
      if (host.indexOf(':') < 0) {
        return null;
      }
    } else {
      int colon = node.indexOf(':');
      if (colon >= 0) {
        host = node.substring(0, colon);
        port = node.substring(colon + 1);
      }
      if (host.indexOf(':') >= 0 || host.isEmpty()) {
        return null;
      }
    }
    if (port != null && !validPort(port)) {
      return null;
    }
    return IpRange.literal(host) == null ? null : host;
  }

  private static boolean validPort(String port) {
    if (port.startsWith("_")) {
      return port.length() > 1 && port.chars().skip(1).allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-');
    }
    if (port.isEmpty() || port.length() > 5) {
      return false;
    }
    for (int i = 0; i < port.length(); i++) {
      if (port.charAt(i) < '0' || port.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(port) <= 65535;
  }
}
