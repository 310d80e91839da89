package io.apisec;

import java.util.concurrent.CompletionStage;

/**
 * Reads a request body on behalf of the pipeline, which decides how much it may hold.
 *
 * <p>An adapter implements this over its framework's body stream. It must never buffer more than
 * {@code maxBytes}: as soon as one more byte arrives it stops reading and completes the stage
 * exceptionally with {@link BodyTooLargeException}. A blocking adapter (Servlet) may read
 * synchronously and return a completed stage; a non-blocking one completes the stage from its
 * event loop.
 */
@FunctionalInterface
public interface BodyReader {
  /** Reads the whole body, at most {@code maxBytes} bytes of it. */
  CompletionStage<byte[]> read(long maxBytes);
}
