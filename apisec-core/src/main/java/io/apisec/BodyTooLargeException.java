package io.apisec;

/** Signals that a request body grew past the limit the pipeline asked a {@link BodyReader} for. */
public final class BodyTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long limit;

  public BodyTooLargeException(long limit) {
    super("request body exceeds " + limit + " bytes", null, false, false);
    this.limit = limit;
  }

  /** Returns the limit that was crossed, in bytes. */
  public long limit() {
    return limit;
  }
}
