package io.apisec.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 CIDR block such as {@code 10.0.0.0/8} or {@code ::1/128}. Parsing never
 * resolves host names. Immutable.
 */
public final class IpRange {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private IpRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** Parses {@code address/prefix} or a bare address; throws IllegalArgumentException naming it. */
  public static IpRange parse(String cidr) {
    String s = cidr.trim();
    int slash = s.indexOf('/');
    byte[] address = literal(slash < 0 ? s : s.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("not an IP address or CIDR block: '" + cidr + "'");
    }
    int max = address.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a CIDR prefix length: '" + cidr + "'");
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("CIDR prefix out of range: '" + cidr + "'");
      }
    }
    return new IpRange(mask(address, prefix), prefix, s);
  }

  /** Parses an IP literal without any DNS lookup; null when it is not one. */
  public static byte[] literal(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return null;
    }
    String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v6 = t.indexOf(':') >= 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok = c >= '0' && c <= '9' || c == '.' || v6 && (c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F');
      if (!ok) {
        return null;
      }
    }
    if (!v6) {
      String[] parts = t.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3 || parts[i].length() > 1 && parts[i].charAt(0) == '0') {
          return null;
        }
        int v = Integer.parseInt(parts[i]);
        if (v > 255) {
          return null;
        }
        out[i] = (byte) v;
      }
      return out;
    }
    try {
      // a literal containing ':' is never looked up in DNS
      byte[] bytes = InetAddress.getByName(t).getAddress();
      return bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - bits));
    }
    return out;
  }

  public boolean contains(byte[] address) {
    byte[] candidate = address;
    if (candidate.length == 16 && network.length == 4 && isV4Mapped(candidate)) {
      candidate = Arrays.copyOfRange(candidate, 12, 16);
    }
    if (candidate.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(candidate, prefix), network);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  /** Whether this range covers every address of its family. */
  public boolean isEverything() {
    return prefix == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpRange && ((IpRange) o).prefix == prefix && Arrays.equals(((IpRange) o).network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    return text;
  }
}
