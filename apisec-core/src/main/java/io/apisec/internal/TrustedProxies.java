package io.apisec.internal;

import io.apisec.Headers;
import io.apisec.RequestView;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The proxies whose forwarding headers are believed. The client IP is the right-most
 * {@code X-Forwarded-For} hop that is not a trusted proxy; a request from an untrusted peer has
 * its peer address as client IP whatever headers it sends. Immutable.
 */
public final class TrustedProxies {
  private final List<IpRange> ranges;

  public TrustedProxies(List<IpRange> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  public List<IpRange> ranges() {
    return ranges;
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
    Headers headers = request.headers();
    List<String> forwarded = headers.all("x-forwarded-for");
    String candidate = peer;
    for (int f = forwarded.size() - 1; f >= 0; f--) {
      String[] hops = forwarded.get(f).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        byte[] address = IpRange.literal(hop);
        if (address == null) {
          // an unparseable hop ends the chain of trust: the hop behind it is the client as we know it
          return candidate;
        }
        candidate = hop;
        if (!isTrusted(address)) {
          return hop;
        }
      }
    }
    return candidate;
  }
}
