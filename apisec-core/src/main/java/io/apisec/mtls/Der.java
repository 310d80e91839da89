package io.apisec.mtls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The little DER the OCSP client needs: encoding a request and reading the few fields of a
 * response and of an authority information access extension. Reading is strict (definite
 * lengths, no overruns) and throws {@link IllegalArgumentException} on anything malformed;
 * the JDK's own validator checks signatures and semantics. Values are immutable; thread-safe.
 */
final class Der {
  static final int SEQUENCE = 0x30;
  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int ENUMERATED = 0x0a;
  static final int GENERALIZED_TIME = 0x18;

  /** One element: its tag, and the bytes of its value. */
  record Element(int tag, byte[] value) {
    /** The elements a constructed value holds. */
    List<Element> children() {
      List<Element> out = new ArrayList<>();
      int[] at = {0};
      while (at[0] < value.length) {
        out.add(read(value, at));
      }
      return out;
    }

    Element child(int index) {
      List<Element> children = children();
      if (index >= children.size()) {
        throw new IllegalArgumentException("missing element");
      }
      return children.get(index);
    }

    Element expect(int expected) {
      if (tag != expected) {
        throw new IllegalArgumentException("unexpected tag");
      }
      return this;
    }

    BigInteger integer() {
      expect(INTEGER);
      return new BigInteger(value);
    }

    String oid() {
      expect(OID);
      StringBuilder out = new StringBuilder();
      long part = 0;
      boolean first = true;
      for (byte b : value) {
        part = (part << 7) | (b & 0x7f);
        if ((b & 0x80) == 0) {
          if (first) {
            long top = Math.min(part / 40, 2);
            out.append(top).append('.').append(part - top * 40);
            first = false;
          } else {
            out.append('.').append(part);
          }
          part = 0;
        }
      }
      return out.toString();
    }

    Instant generalizedTime() {
      expect(GENERALIZED_TIME);
      String text = new String(value, StandardCharsets.US_ASCII);
      if (!text.matches("\\d{14}(\\.\\d{1,9})?Z")) {
        throw new IllegalArgumentException("unsupported GeneralizedTime");
      }
      LocalDateTime time = LocalDateTime.parse(text.substring(0, 14), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
      return time.toInstant(ZoneOffset.UTC);
    }
  }

  private Der() {}

  /** The single element {@code der} holds; throws when anything follows it. */
  static Element parse(byte[] der) {
    int[] at = {0};
    Element element = read(der, at);
    if (at[0] != der.length) {
      throw new IllegalArgumentException("trailing bytes");
    }
    return element;
  }

  private static Element read(byte[] der, int[] at) {
    int i = at[0];
    if (i + 2 > der.length) {
      throw new IllegalArgumentException("truncated");
    }
    int tag = der[i++] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new IllegalArgumentException("multi-byte tags are not used by OCSP");
    }
    int first = der[i++] & 0xff;
    int length;
    if (first < 0x80) {
      length = first;
    } else {
      int count = first & 0x7f;
      if (count == 0 || count > 3) {
        throw new IllegalArgumentException("unsupported length");
      }
      length = 0;
      for (int k = 0; k < count; k++) {
        if (i >= der.length) {
          throw new IllegalArgumentException("truncated");
        }
        length = (length << 8) | (der[i++] & 0xff);
      }
    }
    if (length > der.length - i) {
      throw new IllegalArgumentException("truncated");
    }
    at[0] = i + length;
    return new Element(tag, Arrays.copyOfRange(der, i, i + length));
  }

  /** An encoded element with {@code tag} holding {@code parts} concatenated. */
  static byte[] encode(int tag, byte[]... parts) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      body.writeBytes(part);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = body.size();
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  static byte[] encode(int tag, List<byte[]> parts) {
    return encode(tag, parts.toArray(new byte[0][]));
  }
}
