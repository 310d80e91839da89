package io.apisec.ratelimit;

/**
 * The answer of a {@link BucketStore} to one request for tokens. Immutable.
 *
 * @param admitted whether the tokens were taken
 * @param remaining tokens left afterwards (the least over the policy's bandwidths)
 * @param nanosToRetry when refused, how long until the tokens asked for are there; zero otherwise
 * @param nanosToReset how long until the bucket is full again
 * @param enforced false when the store could not decide and admitted anyway (fail open)
 */
public record Admission(boolean admitted, long remaining, long nanosToRetry, long nanosToReset, boolean enforced) {
  private static final Admission UNENFORCED = new Admission(true, 0, 0, 0, false);

  public Admission {
    if (remaining < 0 || nanosToRetry < 0 || nanosToReset < 0) {
      throw new IllegalArgumentException("negative admission figures");
    }
  }

  public static Admission admitted(long remaining, long nanosToReset) {
    return new Admission(true, remaining, 0, nanosToReset, true);
  }

  public static Admission refused(long remaining, long nanosToRetry, long nanosToReset) {
    return new Admission(false, remaining, nanosToRetry, nanosToReset, true);
  }

  /** An admission made without a bucket, because the store was unreachable and fails open. */
  public static Admission unenforced() {
    return UNENFORCED;
  }
}
