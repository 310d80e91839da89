package io.apisec.schema;

import java.util.List;
import java.util.Locale;

/**
 * The media types a route accepts: exact types ({@code application/json}), subtype wildcards
 * ({@code application/*}) and structured-suffix wildcards ({@code application/*+json}). JSON
 * bodies ({@code application/json} and any {@code +json} type) are accepted only in UTF-8 (RFC
 * 8259 §8.1): no {@code charset} parameter, or {@code utf-8}. Immutable.
 */
final class MediaTypes {
  static final List<String> JSON = List.of("application/json", "application/*+json");

  private final List<String> allowed;
  private final String advertised;

  MediaTypes(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
    this.advertised = String.join(", ", allowed);
  }

  /** The list for an {@code Accept-Post} or {@code Accept-Patch} header. */
  String advertised() {
    return advertised;
  }

  /** Why {@code contentType} is refused, or null when it is accepted. */
  String refusal(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return "A Content-Type is required; accepted: " + advertised;
    }
    int semicolon = contentType.indexOf(';');
    String media = mediaType(contentType);
    if (!accepted(media)) {
      return "Content-Type '" + Violations.shorten(media, 80) + "' is not accepted; accepted: " + advertised;
    }
    if (semicolon >= 0 && isJson(media)) {
      String charset = charset(contentType.substring(semicolon + 1));
      if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
        return "JSON is accepted only in UTF-8; charset '" + Violations.shorten(charset, 40) + "' is not";
      }
    }
    return null;
  }

  private boolean accepted(String media) {
    for (String pattern : allowed) {
      if (pattern.equals(media)) {
        return true;
      }
      int star = pattern.indexOf("/*");
      if (star > 0 && media.startsWith(pattern.substring(0, star + 1))) {
        String suffix = pattern.substring(star + 2);
        if (suffix.isEmpty() || media.endsWith(suffix) && media.length() > star + 1 + suffix.length()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The lower-case type/subtype of a Content-Type value, or "" when absent. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  static boolean isJson(String media) {
    return media.equals("application/json") || media.endsWith("+json");
  }

  private static String charset(String parameters) {
    for (String parameter : parameters.split(";")) {
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String value = parameter.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }
}
