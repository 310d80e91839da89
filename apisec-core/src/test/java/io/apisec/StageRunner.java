package io.apisec;

import java.util.List;

/** Runs one stage as the pipeline would, for tests of stages outside this package. */
public final class StageRunner {
  private StageRunner() {}

  /** Runs {@code stage} under {@code name}; when it passes, the result is an allow. */
  public static Decision run(String name, Stage stage, RequestView request, Attributes attributes) {
    return new Pipeline(List.of(new Pipeline.NamedStage(name, stage, false)))
        .run(request, attributes).toCompletableFuture().join();
  }
}
