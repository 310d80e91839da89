package io.apisec.ratelimit;

import io.apisec.Headers;
import java.util.List;

/**
 * Writes the rate-limit response fields: {@code RateLimit-Policy} and {@code RateLimit} of the
 * IETF httpapi draft ({@code "name";q=20;w=1} and {@code "name";r=19;t=1}) and the legacy
 * {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} (seconds from now).
 *
 * <p>A policy of several bandwidths lists one quota per bandwidth, the first named after the
 * policy and the others {@code name-2}, {@code name-3}...; its {@code RateLimit} item, named after
 * the policy, gives the fewest tokens left over all its bandwidths. Immutable.
 */
final class RateLimitHeaders {
  private RateLimitHeaders() {}

  /** The {@code RateLimit-Policy} items of one policy, computed once. */
  static String policyItems(RateLimitPolicy policy) {
    StringBuilder out = new StringBuilder();
    List<RateLimitPolicy.Bandwidth> limits = policy.limits();
    for (int i = 0; i < limits.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      String name = i == 0 ? policy.name() : policy.name() + "-" + (i + 1);
      out.append('"').append(name).append("\";q=").append(limits.get(i).capacity())
          .append(";w=").append(limits.get(i).windowSeconds());
    }
    return out.toString();
  }

  /** Whole seconds, rounded up. */
  static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }

  /** The least capacity over the policy's bandwidths, as {@code X-RateLimit-Limit} states it. */
  static long smallestCapacity(RateLimitPolicy policy) {
    long least = Long.MAX_VALUE;
    for (RateLimitPolicy.Bandwidth b : policy.limits()) {
      least = Math.min(least, b.capacity());
    }
    return least;
  }

  /**
   * The fields for the admissions of the given policies (null entries were skipped or not
   * enforced). The legacy fields describe the policy with the fewest tokens left.
   */
  static Headers of(List<Compiled> policies, Admission[] admissions) {
    // plain strings: with the usual one policy the fields are its texts, with nothing copied
    String policyField = null;
    String rateLimitField = null;
    int tightest = -1;
    for (int i = 0; i < policies.size(); i++) {
      Admission a = admissions[i];
      if (a == null || !a.enforced()) {
        continue;
      }
      Compiled p = policies.get(i);
      RateLimitPolicy.HeaderStyle style = p.policy().headers();
      if (style.draft()) {
        String item = p.rateLimitItemStart() + a.remaining() + ";t=" + seconds(a.nanosToReset());
        policyField = policyField == null ? p.policyItems() : policyField + ", " + p.policyItems();
        rateLimitField = rateLimitField == null ? item : rateLimitField + ", " + item;
      }
      if (style.legacy() && (tightest < 0 || a.remaining() < admissions[tightest].remaining())) {
        tightest = i;
      }
    }
    if (policyField == null && tightest < 0) {
      return Headers.empty();
    }
    Headers.Builder headers = Headers.builder();
    if (policyField != null) {
      headers.add("RateLimit-Policy", policyField).add("RateLimit", rateLimitField);
    }
    if (tightest >= 0) {
      Admission a = admissions[tightest];
      headers.add("X-RateLimit-Limit", Long.toString(policies.get(tightest).smallestCapacity()))
          .add("X-RateLimit-Remaining", Long.toString(a.remaining()))
          .add("X-RateLimit-Reset", Long.toString(seconds(a.nanosToReset())));
    }
    return headers.build();
  }

  /** A policy with what the stage needs of it precomputed. */
  record Compiled(RateLimitPolicy policy, RateLimitKey key, String policyItems, String rateLimitItemStart,
      long smallestCapacity) {
    static Compiled of(RateLimitPolicy policy) {
      return new Compiled(policy, new RateLimitKey(policy.key()), RateLimitHeaders.policyItems(policy),
          '"' + policy.name() + "\";r=", RateLimitHeaders.smallestCapacity(policy));
    }
  }
}
