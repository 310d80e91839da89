package io.apisec.schema;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;

/**
 * A networknt format whose usual values are accepted without networknt's costlier check. Every
 * other value, and so every refusal, still gets networknt's own verdict. Subclasses accept only
 * values networknt's format is known to accept, and tests hold them to its verdicts.
 *
 * <p>Stateless and thread-safe.
 */
abstract class NetworkntVerdictFormat implements Format {
  private final Format networknt;

  NetworkntVerdictFormat(Format networknt) {
    this.networknt = networknt;
  }

  @Override
  public final String getName() {
    return networknt.getName();
  }

  @Override
  public final String getMessageKey() {
    return networknt.getMessageKey();
  }

  @Override
  public final boolean matches(ExecutionContext executionContext, String value) {
    return acceptsWithoutNetworknt(value) || networknt.matches(executionContext, value);
  }

  /** Whether {@code value} is a usual value, accepted here; false says "ask networknt". */
  abstract boolean acceptsWithoutNetworknt(String value);

  /**
   * Where the host name starting at {@code from} ends: at the first character that is neither a
   * dot nor a letter, digit or hyphen, or at the end of the value. -1 when it is not one or more
   * labels of 1 to 63 letters, digits and inner hyphens.
   */
  static int hostNameEnd(String value, int from) {
    int labelStart = from;
    for (int i = from; ; i++) {
      char c = i == value.length() ? 0 : value.charAt(i);
      if (c == '.' || !(isAlnum(c) || c == '-')) {
        int length = i - labelStart;
        if (length < 1 || length > 63 || !isAlnum(value.charAt(i - 1))) {
          return -1;
        }
        if (c != '.') {
          return i;
        }
        labelStart = i + 1;
      } else if (i == labelStart && c == '-') {
        return -1;
      }
    }
  }

  static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isAlnum(char c) {
    return isAlpha(c) || (c >= '0' && c <= '9');
  }
}
