package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.RequestView;

/** Shared constants and the one way every suite evaluates a request. */
final class Bench {
  /** Distinct tokens in a cold pool: with a verified-token cache of {@link #COLD_CACHE} entries, ≥ 99.6 % miss. */
  static final int COLD_POOL = 4096;
  /** The verified-token cache size the cold benchmarks use, so the rotating pool never fits. */
  static final int COLD_CACHE = 16;
  /** The default verified-token cache size, for repeated tokens. */
  static final int WARM_CACHE = 10_000;

  private Bench() {}

  /** Evaluates and waits; with every key and bucket local the stage is already complete. */
  static Decision evaluate(ApiSecurity security, RequestView request) {
    return security.evaluate(request).toCompletableFuture().join();
  }
}
