package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Collects the violations of one request into the {@code errors} member of a problem document:
 * at most {@code maxErrors} entries of {@code {pointer, keyword, message}}, each text cut to
 * {@value #MAX_TEXT} characters.
 *
 * <p>Messages are the validator's, without its location prefix, and never describe a value: a
 * message about a field whose name contains a redacted word (or about anything inside such a
 * field) is replaced by a neutral one naming only the keyword, because keywords such as
 * {@code const}, {@code enum} and {@code pattern} quote the schema's expectation of a secret; any
 * other message has the offending string value, should it appear, cut out. Not thread-safe: one
 * instance per request.
 */
final class Violations {
  static final int MAX_TEXT = 200;

  private final int maxErrors;
  private final Set<String> redact;
  private final List<Map<String, Object>> entries = new ArrayList<>();
  private int total;

  Violations(int maxErrors, Set<String> normalisedRedact) {
    this.maxErrors = maxErrors;
    this.redact = normalisedRedact;
  }

  /** The normal form a field name is compared in: lower case without {@code -} and {@code _}. */
  static String normalise(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '-' && c != '_') {
        out.append(Character.toLowerCase(c));
      }
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  int total() {
    return total;
  }

  boolean isEmpty() {
    return total == 0;
  }

  List<Map<String, Object>> entries() {
    return List.copyOf(entries);
  }

  void add(ValidationMessage message) {
    JsonNodePath location = message.getInstanceLocation();
    String pointer = location == null ? "" : location.toString();
    String property = message.getProperty();
    boolean secret = location != null && redacted(location);
    if (property != null && redactedName(property)) {
      secret = true;
    }
    String text;
    if (secret) {
      text = "the value does not satisfy '" + message.getType() + "' (details redacted)";
    } else {
      text = message.getError();
      JsonNode instance = message.getInstanceNode();
      if (text != null && instance != null && instance.isTextual() && instance.textValue().length() >= 3) {
        text = text.replace(instance.textValue(), "[value]");
      }
    }
    add(pointer, message.getType(), text == null ? message.getType() : text);
  }

  void add(String pointer, String keyword, String message) {
    total++;
    if (entries.size() >= maxErrors) {
      return;
    }
    Map<String, Object> entry = new LinkedHashMap<>(4);
    entry.put("pointer", shorten(pointer, MAX_TEXT));
    entry.put("keyword", shorten(keyword, 64));
    entry.put("message", shorten(message, MAX_TEXT));
    entries.add(entry);
  }

  /** Adds a parameter violation, naming the parameter instead of a pointer. */
  void addParameter(String in, String name, ValidationMessage message) {
    boolean secret = redactedName(name);
    String text = secret ? "the value does not satisfy '" + message.getType() + "' (details redacted)" : message.getError();
    JsonNode instance = message.getInstanceNode();
    if (!secret && text != null && instance != null && instance.isTextual() && instance.textValue().length() >= 3) {
      text = text.replace(instance.textValue(), "[value]");
    }
    addParameter(in, name, message.getType(), text == null ? message.getType() : text);
  }

  void addParameter(String in, String name, String keyword, String message) {
    total++;
    if (entries.size() >= maxErrors) {
      return;
    }
    Map<String, Object> entry = new LinkedHashMap<>(4);
    entry.put("parameter", shorten(in + ":" + name, MAX_TEXT));
    entry.put("keyword", keyword);
    entry.put("message", shorten(message, MAX_TEXT));
    entries.add(entry);
  }

  boolean redacted(JsonNodePath location) {
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof String && redactedName((String) element)) {
        return true;
      }
    }
    return false;
  }

  boolean redactedName(String name) {
    String n = normalise(name);
    for (String word : redact) {
      if (n.contains(word)) {
        return true;
      }
    }
    return false;
  }

  static String shorten(String text, int max) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), max + 1));
    for (int i = 0; i < text.length() && out.length() < max; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    if (text.length() > max) {
      out.append('…');
    }
    return out.toString();
  }
}
