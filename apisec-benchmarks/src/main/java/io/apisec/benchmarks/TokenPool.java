package io.apisec.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tokens a benchmark presents: one token again and again ({@code repeated}), or a rotation
 * through {@link Bench#COLD_POOL} distinct pre-minted tokens ({@code cold}) so that each
 * invocation misses the verified-token cache. Thread-safe.
 */
final class TokenPool {
  private final String[] tokens;
  private final AtomicInteger cursor = new AtomicInteger();

  private TokenPool(String[] tokens) {
    this.tokens = tokens;
  }

  static TokenPool of(Fixture fixture, String alg, String kind) {
    switch (kind) {
      case "repeated": return new TokenPool(new String[] {fixture.token(alg)});
      case "cold": return new TokenPool(fixture.tokens(alg, Bench.COLD_POOL));
      default: throw new IllegalArgumentException("token must be repeated or cold, found " + kind);
    }
  }

  /** The verified-token cache size that makes {@code kind} behave as named. */
  static int cacheFor(String kind) {
    return kind.equals("cold") ? Bench.COLD_CACHE : Bench.WARM_CACHE;
  }

  String next() {
    return tokens.length == 1 ? tokens[0] : tokens[cursor.getAndIncrement() & (tokens.length - 1)];
  }
}
