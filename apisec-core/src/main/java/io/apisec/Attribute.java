package io.apisec;

import java.util.Objects;

/**
 * A typed key for a value that one stage hands to later ones through {@link Attributes}.
 *
 * <p>Keys compare by identity: create each once, as a constant.
 */
public final class Attribute<T> {
  private final String name;
  private final Class<T> type;

  private Attribute(String name, Class<T> type) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
  }

  public static <T> Attribute<T> of(String name, Class<T> type) {
    return new Attribute<>(name, type);
  }

  public String name() {
    return name;
  }

  Class<T> type() {
    return type;
  }

  @Override
  public String toString() {
    return "Attribute[" + name + ']';
  }
}
