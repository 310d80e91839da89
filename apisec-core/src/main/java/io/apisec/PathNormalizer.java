package io.apisec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a raw request path into the one form routes are matched against, or refuses it as
 * ambiguous.
 *
 * <p>Every construct that servers, proxies and frameworks disagree on is refused rather than
 * normalised, so that the route a request matches is the resource the upstream serves: dot
 * segments ({@code .}, {@code ..}) raw or encoded, empty segments ({@code //}), backslashes, path
 * parameters ({@code ;}), characters RFC 3986 does not allow unencoded in a path (such as
 * {@code `}, {@code {}}, {@code |}, {@code ^}, {@code "}, {@code <>}), encoded {@code /}, {@code \}, {@code .}, {@code %} and control
 * characters (NUL included), malformed escapes, raw non-ASCII, and percent-encoded bytes that are
 * not well-formed UTF-8 (overlong forms such as {@code %C0%AF} among them). Other escapes are
 * decoded ({@code /%61dmin} is {@code /admin}); a trailing slash is dropped. Thread-safe.
 */
final class PathNormalizer {
  /** RFC 3986 {@code pchar} and '/', minus ';' (path parameters are refused). */
  private static final boolean[] PCHAR = new boolean[128];

  static {
    String allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/%";
    for (int i = 0; i < allowed.length(); i++) {
      PCHAR[allowed.charAt(i)] = true;
    }
  }

  private final int maxLength;

  PathNormalizer(int maxLength) {
    this.maxLength = maxLength;
  }

  /** The outcome: a normalised path, or the reason the raw path is refused. */
  record Result(String path, String refusal) {
    boolean ok() {
      return refusal == null;
    }
  }

  private static Result refuse(String why) {
    return new Result(null, why);
  }

  Result normalise(String raw) {
    if (raw.isEmpty() || raw.charAt(0) != '/') {
      return refuse("The path must start with '/'");
    }
    if (raw.length() > maxLength) {
      return refuse("The path is longer than " + maxLength + " characters");
    }
    boolean escaped = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        escaped = true;
      } else if (c <= 0x20 || c >= 0x7f) {
        return refuse("The path contains a control, space or non-ASCII character");
      } else if (c < 128 && !PCHAR[c]) {
        if (c == '\\' || c == ';' || c == '#' || c == '?') {
          return refuse(c == '\\' ? "The path contains a backslash"
              : c == ';' ? "The path contains a ';' path parameter" : "The path contains a reserved delimiter");
        }
        return refuse("The path contains '" + c + "', which RFC 3986 does not allow unencoded");
      }
    }
    String decoded = escaped ? decode(raw) : raw;
    if (decoded == null) {
      return refuse(lastDecodeError(raw));
    }
    int length = decoded.length();
    if (length > 1 && decoded.charAt(length - 1) == '/') {
      decoded = decoded.substring(0, length - 1);
    }
    // segment checks run on the decoded form: encoded dots were refused above, so the raw and the
    // decoded segment boundaries are the same
    int start = 1;
    while (start <= decoded.length()) {
      int end = decoded.indexOf('/', start);
      if (end < 0) {
        end = decoded.length();
      }
      int len = end - start;
      if (len == 0 && decoded.length() > 1) {
        return refuse("The path contains an empty segment ('//')");
      }
      if (len == 1 && decoded.charAt(start) == '.'
          || len == 2 && decoded.charAt(start) == '.' && decoded.charAt(start + 1) == '.') {
        return refuse("The path contains a dot segment");
      }
      start = end + 1;
    }
    return new Result(decoded, null);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Decodes escapes; null when an escape is malformed or forbidden. */
  private static String decode(String raw) {
    byte[] bytes = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        bytes[n++] = (byte) c;
        continue;
      }
      if (i + 2 >= raw.length()) {
        return null;
      }
      int hi = hex(raw.charAt(i + 1));
      int lo = hex(raw.charAt(i + 2));
      if (hi < 0 || lo < 0) {
        return null;
      }
      int b = hi << 4 | lo;
      if (b < 0x20 || b == 0x7f || b == '/' || b == '\\' || b == '.' || b == '%' || b == ';'
          || b == '?' || b == '#') {
        return null;
      }
      bytes[n++] = (byte) b;
      i += 2;
    }
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = utf8.decode(ByteBuffer.wrap(bytes, 0, n));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Explains why {@link #decode} refused {@code raw}; only called on the refusal path. */
  private static String lastDecodeError(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) != '%') {
        continue;
      }
      if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
        return "The path contains a malformed percent-escape";
      }
      int b = hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2));
      if (b == '/' || b == '\\') {
        return "The path contains an encoded slash or backslash";
      }
      if (b == '.') {
        return "The path contains an encoded dot";
      }
      if (b == '%') {
        return "The path contains an encoded '%' (double encoding)";
      }
      if (b < 0x20 || b == 0x7f) {
        return "The path contains an encoded control character";
      }
      if (b == ';' || b == '?' || b == '#') {
        return "The path contains an encoded delimiter";
      }
    }
    return "The path's escapes are not well-formed UTF-8";
  }
}
