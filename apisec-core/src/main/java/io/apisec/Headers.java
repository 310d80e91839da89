package io.apisec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered multimap of HTTP header fields whose names compare case-insensitively.
 *
 * <p>Names are folded to lower case with {@link Locale#ROOT}, so the result never depends on the
 * default locale (a Turkish locale would otherwise turn {@code AUTHORIZATION} into a name with a
 * dotless i). Thread-safe: instances never change.
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(new String[0]);

  /** Alternating lower-case names and values, in arrival order. */
  private final String[] fields;

  private Headers(String[] fields) {
    this.fields = fields;
  }

  /** Returns the empty header set. */
  public static Headers empty() {
    return EMPTY;
  }

  /** Returns a header set of the given name/value pairs. */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Expected name/value pairs, got an odd number of strings");
    }
    Builder builder = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      builder.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return builder.build();
  }

  /** Returns a builder of header sets. */
  public static Builder builder() {
    return new Builder();
  }

  static String fold(String name) {
    // the usual spellings of the usual fields fold without allocating: a request's bytes add to the tail
    switch (name) {
      case "Host": return "host";
      case "Accept": return "accept";
      case "Authorization": return "authorization";
      case "Content-Type": return "content-type";
      case "Content-Length": return "content-length";
      case "User-Agent": return "user-agent";
      case "Accept-Encoding": return "accept-encoding";
      case "Connection": return "connection";
      case "Transfer-Encoding": return "transfer-encoding";
      case "X-Forwarded-For": return "x-forwarded-for";
      case "X-Request-Id": return "x-request-id";
      case "DPoP": return "dpop";
      // and the fields apisec writes on every decision
      case "X-Request-ID": return "x-request-id";
      case "X-Content-Type-Options": return "x-content-type-options";
      case "Strict-Transport-Security": return "strict-transport-security";
      case "Cache-Control": return "cache-control";
      case "WWW-Authenticate": return "www-authenticate";
      case "RateLimit-Policy": return "ratelimit-policy";
      case "RateLimit": return "ratelimit";
      case "X-RateLimit-Limit": return "x-ratelimit-limit";
      case "X-RateLimit-Remaining": return "x-ratelimit-remaining";
      case "X-RateLimit-Reset": return "x-ratelimit-reset";
      case "Retry-After": return "retry-after";
      default: break;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return name.toLowerCase(Locale.ROOT);
      }
    }
    return name;
  }

  /** Returns the first value of the named field. */
  public Optional<String> first(String name) {
    String folded = fold(name);
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equals(folded)) {
        return Optional.of(fields[i + 1]);
      }
    }
    return Optional.empty();
  }

  /** Returns the first value of the named field, or {@code null}. */
  public String firstOrNull(String name) {
    String folded = fold(name);
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equals(folded)) {
        return fields[i + 1];
      }
    }
    return null;
  }

  /** Returns every value of the named field, in arrival order. */
  public List<String> all(String name) {
    String folded = fold(name);
    List<String> values = null;
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equals(folded)) {
        if (values == null) {
          values = new ArrayList<>(2);
        }
        values.add(fields[i + 1]);
      }
    }
    return values == null ? List.of() : Collections.unmodifiableList(values);
  }

  /** Returns how many fields carry this name. */
  public int count(String name) {
    String folded = fold(name);
    int count = 0;
    for (int i = 0; i < fields.length; i += 2) {
      if (fields[i].equals(folded)) {
        count++;
      }
    }
    return count;
  }

  /** Returns whether a field with this name is present. */
  public boolean contains(String name) {
    return firstOrNull(name) != null;
  }

  /** Returns the distinct lower-case field names, in order of first arrival. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < fields.length; i += 2) {
      names.add(fields[i]);
    }
    return Collections.unmodifiableSet(names);
  }

  /** Returns the number of fields (a name repeated counts each time). */
  public int size() {
    return fields.length / 2;
  }

  public boolean isEmpty() {
    return fields.length == 0;
  }

  /** Calls {@code action} with each lower-case name and value, in arrival order. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < fields.length; i += 2) {
      action.accept(fields[i], fields[i + 1]);
    }
  }

  /** Returns these fields followed by {@code more}'s. */
  public Headers plus(Headers more) {
    if (more.fields.length == 0) {
      return this;
    }
    if (fields.length == 0) {
      return more;
    }
    String[] joined = new String[fields.length + more.fields.length];
    System.arraycopy(fields, 0, joined, 0, fields.length);
    System.arraycopy(more.fields, 0, joined, fields.length, more.fields.length);
    return new Headers(joined);
  }

  /** Returns these fields, with any field of {@code name} replaced by one with {@code value}. */
  public Headers with(String name, String value) {
    Builder builder = builder();
    String folded = fold(name);
    for (int i = 0; i < fields.length; i += 2) {
      if (!fields[i].equals(folded)) {
        builder.addFolded(fields[i], fields[i + 1]);
      }
    }
    return builder.add(folded, value).build();
  }

  /** Returns these fields without any field of the given names. */
  public Headers without(Set<String> lowerCaseNames) {
    Builder builder = builder();
    for (int i = 0; i < fields.length; i += 2) {
      if (!lowerCaseNames.contains(fields[i])) {
        builder.addFolded(fields[i], fields[i + 1]);
      }
    }
    return builder.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers && java.util.Arrays.equals(fields, ((Headers) o).fields);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(fields);
  }

  /** Shows names only: values may hold credentials. */
  @Override
  public String toString() {
    return "Headers" + names();
  }

  /** Collects fields in order. Not thread-safe. */
  public static final class Builder {
    // names and values alternating; an array, not a list, so a request's few fields cost one copy
    private String[] fields = new String[16];
    private int size;

    private Builder() {}

    /** Adds a field; the name is folded to lower case. */
    public Builder add(String name, String value) {
      if (name == null || value == null) {
        throw new NullPointerException("header name and value must not be null");
      }
      return addFolded(fold(name), value);
    }

    Builder addFolded(String lowerCaseName, String value) {
      room(2);
      fields[size++] = lowerCaseName;
      fields[size++] = value;
      return this;
    }

    /** Adds every field of {@code headers}. */
    public Builder addAll(Headers headers) {
      room(headers.fields.length);
      System.arraycopy(headers.fields, 0, fields, size, headers.fields.length);
      size += headers.fields.length;
      return this;
    }

    private void room(int more) {
      if (size + more > fields.length) {
        fields = Arrays.copyOf(fields, Math.max(fields.length * 2, size + more));
      }
    }

    public Headers build() {
      return size == 0 ? EMPTY : new Headers(Arrays.copyOf(fields, size));
    }
  }
}
