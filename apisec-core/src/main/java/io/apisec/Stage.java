package io.apisec;

import java.util.concurrent.CompletionStage;

/**
 * One check of the pipeline. A stage denies (returns a completed {@link Decision.Deny}), passes
 * ({@code return chain.proceed()}), or wraps what follows ({@code
 * chain.proceed().thenApply(d -> d.withResponseHeaders(...))}).
 *
 * <p>Synchronous stages return completed stages; a stage that waits on the network returns a
 * stage completed later and must never block the calling thread, which may be an event loop.
 * A stage that throws, or whose stage completes exceptionally, is mapped by the pipeline to a
 * {@code 503} (fail closed).
 */
@FunctionalInterface
public interface Stage {
  CompletionStage<Decision> evaluate(Chain chain);

  /** The request being evaluated, the values earlier stages verified, and the rest of the chain. */
  interface Chain {
    RequestView request();

    Attributes attributes();

    /** Runs the remaining stages. Call it at most once. */
    CompletionStage<Decision> proceed();
  }
}
