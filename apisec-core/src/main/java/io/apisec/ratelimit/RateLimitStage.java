package io.apisec.ratelimit;

import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.Stage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Takes one token per request from the bucket of every policy of a route, in order; the first
 * refusal answers {@code 429} with {@code Retry-After}, and an admitted request carries the
 * rate-limit headers on whatever the rest of the chain decides. A store failure answers
 * {@code 503} with {@code Retry-After} (the store decides first whether it fails open or falls
 * back). Thread-safe; never blocks.
 *
 * <p>Policies are asked one after the other and the first refusal stops: a request refused by a
 * later policy has still spent its token in the earlier ones, as it would have at the door of a
 * service with two counters. When the store answers later (Redis), the rest of the chain runs on
 * the thread that completed the store's stage.
 */
final class RateLimitStage implements Stage {
  private final List<RateLimitHeaders.Compiled> policies;
  private final BucketStore store;

  RateLimitStage(List<RateLimitPolicy> policies, BucketStore store) {
    this.policies = policies.stream().map(RateLimitHeaders.Compiled::of).toList();
    this.store = store;
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    return step(chain, 0, new Admission[policies.size()]);
  }

  private CompletionStage<Decision> step(Chain chain, int index, Admission[] admissions) {
    for (int i = index; i < policies.size(); i++) {
      RateLimitHeaders.Compiled compiled = policies.get(i);
      RateLimitPolicy policy = compiled.policy();
      String key = compiled.key().resolve(chain);
      if (key == null) {
        switch (policy.onMissingKey()) {
          case SKIP:
            continue;
          case SHARED:
            key = RateLimitKey.SHARED;
            break;
          default:
            return CompletableFuture.completedFuture(Decision.deny(DenyReason.FORBIDDEN,
                "The request lacks the " + policy.key() + " that rate-limit policy '" + policy.name() + "' counts by")
                .withProblemMember("policy", policy.name()));
        }
      }
      CompletionStage<Admission> pending;
      try {
        pending = store.tryConsume(key, policy, 1);
      } catch (RuntimeException e) {
        pending = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<Admission> future = pending.toCompletableFuture();
      int at = i;
      if (future.isDone() && !future.isCompletedExceptionally()) {
        // the local store answers at once: stay on this thread, allocate nothing more
        Admission admission = future.join();
        admissions[at] = admission;
        if (!admission.admitted()) {
          return CompletableFuture.completedFuture(refusal(policy, admissions));
        }
        continue;
      }
      return pending.handle((admission, failure) -> {
        if (failure != null) {
          return CompletableFuture.<Decision>completedFuture(unavailable(policy));
        }
        admissions[at] = admission;
        if (!admission.admitted()) {
          return CompletableFuture.<Decision>completedFuture(refusal(policy, admissions));
        }
        return step(chain, at + 1, admissions);
      }).thenCompose(s -> s);
    }
    Headers headers = RateLimitHeaders.of(policies, admissions);
    if (headers.isEmpty()) {
      return chain.proceed();
    }
    return chain.proceed().thenApply(d -> d.withResponseHeaders(headers));
  }

  private Decision refusal(RateLimitPolicy policy, Admission[] admissions) {
    Admission refused = null;
    for (Admission a : admissions) {
      if (a != null && !a.admitted()) {
        refused = a;
      }
    }
    long retryAfter = Math.max(1, RateLimitHeaders.seconds(refused.nanosToRetry()));
    return Decision.deny(DenyReason.RATE_LIMITED, "Rate limit '" + policy.name() + "' exceeded")
        .withProblemMember("policy", policy.name())
        .withResponseHeaders(RateLimitHeaders.of(policies, admissions))
        .withHeader("Retry-After", Long.toString(retryAfter));
  }

  private static Decision unavailable(RateLimitPolicy policy) {
    return Decision.deny(DenyReason.UNAVAILABLE, "The rate-limit store for '" + policy.name() + "' is unreachable")
        .withHeader("Retry-After", "1");
  }
}
