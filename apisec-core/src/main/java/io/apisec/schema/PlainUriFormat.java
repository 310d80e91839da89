package io.apisec.schema;

import com.networknt.schema.format.UriFormat;

/**
 * JSON Schema's {@code uri} format with networknt's verdicts, the usual absolute URI answered
 * without building a {@link java.net.URI}. The usual URI is {@code scheme://host[:port][/path][?query]}.
 * Its host is labels of ASCII letters, digits and inner hyphens. Its path and query use only
 * letters, digits, {@code -._~/} and, in the query, {@code =&}. {@code java.net.URI} parses every
 * such string as an absolute, all-ASCII URI whose query has no brackets, which is what networknt
 * accepts, so it is accepted here. Everything else goes to networknt's format: other characters,
 * escapes, user information, IP literals, fragments, relative references, and every value that
 * might be refused.
 *
 * <p>Why: networknt parses each value into a {@code java.net.URI}. For the benchmark order's one
 * callback URL that was 6 % of the whole pipeline's CPU, plus the URI's own strings.
 *
 * <p>Stateless and thread-safe.
 */
final class PlainUriFormat extends NetworkntVerdictFormat {
  static final PlainUriFormat INSTANCE = new PlainUriFormat();

  private PlainUriFormat() {
    super(new UriFormat());
  }

  @Override
  boolean acceptsWithoutNetworknt(String value) {
    int colon = value.indexOf(':');
    if (colon < 1 || !isScheme(value, colon) || !value.startsWith("//", colon + 1)) {
      return false;
    }
    int i = hostAndPortEnd(value, colon + 3);
    if (i < 0) {
      return false;
    }
    boolean inQuery = false;
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '?' && !inQuery) {
        inQuery = true;
      } else if (!(isAlnum(c) || "-._~/".indexOf(c) >= 0 || (inQuery && (c == '=' || c == '&')))) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3986 scheme: a letter, then letters, digits, {@code +}, {@code -} or {@code .}. */
  private static boolean isScheme(String value, int end) {
    if (!isAlpha(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < end; i++) {
      char c = value.charAt(i);
      if (!(isAlnum(c) || c == '+' || c == '-' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the host and optional port starting at {@code from} end (at a {@code /}, a {@code ?} or
   * the end of the value), or -1 when they are not letter-digit-hyphen labels and digits.
   */
  private static int hostAndPortEnd(String value, int from) {
    int i = hostNameEnd(value, from);
    if (i < 0 || (i < value.length() && ":/?".indexOf(value.charAt(i)) < 0)) {
      return -1;
    }
    if (i < value.length() && value.charAt(i) == ':') {
      int digits = i + 1;
      i = digits;
      while (i < value.length() && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
        i++;
      }
      if (i == digits || i - digits > 5 || (i < value.length() && value.charAt(i) != '/' && value.charAt(i) != '?')) {
        return -1;
      }
    }
    return i;
  }
}
