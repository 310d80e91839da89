package io.apisec;

/**
 * Lets tests outside this package append a {@link Stage} to every route of an {@link ApiSecurity},
 * through the builder's package-private hook; the public API offers no such thing on purpose.
 */
public final class TestStages {
  private TestStages() {}

  /** Appends {@code stage} (named {@code name}) after the configured stages of every route. */
  public static ApiSecurity.Builder append(ApiSecurity.Builder builder, String name, Stage stage) {
    return builder.extraStage(name, stage);
  }
}
