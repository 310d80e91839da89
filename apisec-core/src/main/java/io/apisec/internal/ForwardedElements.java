package io.apisec.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict reader of the {@code key=value;key=value, key=value} syntax shared by RFC 7239
 * {@code Forwarded} and Envoy's {@code X-Forwarded-Client-Cert}: elements separated by commas,
 * pairs by semicolons, values either bare or quoted strings with backslash escapes. Commas and
 * semicolons may have spaces or tabs around them; nothing else is lenient. Stateless; never throws.
 */
public final class ForwardedElements {
  /** Most elements a field may hold; more is refused rather than walked. */
  public static final int MAX_ELEMENTS = 64;

  private ForwardedElements() {}

  /** RFC 7239 syntax: keys and bare values are RFC 7230 tokens. Null when malformed. */
  public static List<List<String[]>> parse(String field) {
    return parse(field, true);
  }

  /**
   * Parses {@code field} into elements of {@code {key, value}} pairs (quoted values unquoted), or
   * returns null when it is malformed. With {@code tokenValues} false, a bare value may hold any
   * visible ASCII except {@code , ; = "} (Envoy writes {@code URI=spiffe://a/b} bare).
   */
  public static List<List<String[]>> parse(String field, boolean tokenValues) {
    if (field == null) {
      return null;
    }
    List<List<String[]>> elements = new ArrayList<>();
    List<String[]> element = new ArrayList<>();
    int i = skipSpace(field, 0);
    int n = field.length();
    if (i == n) {
      return null;
    }
    while (true) {
      int keyStart = i;
      while (i < n && isTokenChar(field.charAt(i))) {
        i++;
      }
      if (i == keyStart || i >= n || field.charAt(i) != '=') {
        return null;
      }
      String key = field.substring(keyStart, i);
      i++;
      String value;
      if (i < n && field.charAt(i) == '"') {
        StringBuilder quoted = new StringBuilder();
        i++;
        boolean closed = false;
        while (i < n) {
          char c = field.charAt(i);
          if (c == '"') {
            closed = true;
            i++;
            break;
          }
          if (c == '\\') {
            if (i + 1 >= n || !isQuotedChar(field.charAt(i + 1))) {
              return null;
            }
            quoted.append(field.charAt(i + 1));
            i += 2;
            continue;
          }
          if (!isQuotedChar(c)) {
            return null;
          }
          quoted.append(c);
          i++;
        }
        if (!closed) {
          return null;
        }
        value = quoted.toString();
      } else {
        int valueStart = i;
        while (i < n && (tokenValues ? isTokenChar(field.charAt(i)) : isBareChar(field.charAt(i)))) {
          i++;
        }
        if (i == valueStart) {
          return null;
        }
        value = field.substring(valueStart, i);
      }
      element.add(new String[] {key, value});
      i = skipSpace(field, i);
      if (i == n) {
        elements.add(element);
        return elements;
      }
      char separator = field.charAt(i);
      if (separator == ',') {
        elements.add(element);
        if (elements.size() >= MAX_ELEMENTS) {
          return null;
        }
        element = new ArrayList<>();
      } else if (separator != ';') {
        return null;
      }
      i = skipSpace(field, i + 1);
      if (i == n) {
        return null;
      }
    }
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /** RFC 7230 tchar. */
  static boolean isTokenChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean isBareChar(char c) {
    return c > 0x20 && c < 0x7f && c != ',' && c != ';' && c != '=' && c != '"' && c != '\\';
  }

  /** qdtext and the characters a quoted-pair may escape: tab, space, visible ASCII. */
  private static boolean isQuotedChar(char c) {
    return c == '\t' || c >= 0x20 && c < 0x7f;
  }
}
