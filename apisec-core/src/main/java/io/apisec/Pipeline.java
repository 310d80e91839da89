package io.apisec;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The stages of one route, run in order as an immutable list-plus-index chain. A stage listed as
 * report-only has its own denials recorded as shadow denials while the request goes on. Thread-safe.
 */
final class Pipeline {
  /** A stage with the name that configuration, audit and metrics know it by. */
  record NamedStage(String name, Stage stage, boolean reportOnly) {}

  /** A denial a report-only stage would have made. */
  static final Attribute<ShadowDenials> SHADOW = Attribute.of("shadow-denials", ShadowDenials.class);

  private final List<NamedStage> stages;

  Pipeline(List<NamedStage> stages) {
    this.stages = List.copyOf(stages);
  }

  List<NamedStage> stages() {
    return stages;
  }

  CompletionStage<Decision> run(RequestView request, Attributes attributes) {
    return new RealChain(0, request, attributes).proceed();
  }

  /** The shadow denials of one request, in stage order. */
  static final class ShadowDenials {
    final java.util.ArrayList<String> entries = new java.util.ArrayList<>(2);
  }

  private final class RealChain implements Stage.Chain {
    private final int index;
    private final RequestView request;
    private final Attributes attributes;
    private CompletionStage<Decision> downstream;

    RealChain(int index, RequestView request, Attributes attributes) {
      this.index = index;
      this.request = request;
      this.attributes = attributes;
    }

    @Override
    public RequestView request() {
      return request;
    }

    @Override
    public Attributes attributes() {
      return attributes;
    }

    @Override
    public CompletionStage<Decision> proceed() {
      if (downstream != null) {
        throw new IllegalStateException(
            "stage '" + stages.get(index - 1).name() + "' must call proceed() at most once");
      }
      downstream = runStage();
      return downstream;
    }

    private CompletionStage<Decision> runStage() {
      if (index >= stages.size()) {
        return CompletableFuture.completedFuture(
            new Decision.Allow(attributes.identity(), Headers.empty(), Headers.empty(), "", routeName()));
      }
      NamedStage named = stages.get(index);
      RealChain next = new RealChain(index + 1, request, attributes);
      CompletionStage<Decision> result;
      try {
        result = named.stage().evaluate(next);
        if (result == null) {
          throw new IllegalStateException("stage '" + named.name() + "' returned null instead of a decision");
        }
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
      if (result instanceof CompletableFuture<Decision> done && done.isDone()) {
        // most stages answer synchronously: settle in place instead of chaining two more futures
        Decision decision;
        try {
          decision = done.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
          return settle(named, next, null, e);
        }
        CompletionStage<Decision> settled = settle(named, next, decision, null);
        return settled == null ? done : settled;
      }
      return result.handle((decision, failure) -> {
        CompletionStage<Decision> settled = settle(named, next, decision, failure);
        return settled == null ? CompletableFuture.completedFuture(decision) : settled;
      }).thenCompose(s -> s);
    }

    /** What the stage's outcome becomes; null when it stands as the stage gave it. */
    private CompletionStage<Decision> settle(NamedStage named, RealChain next, Decision decision, Throwable failure) {
      if (failure != null) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        if (cause instanceof StageFailure) {
          return CompletableFuture.failedFuture(cause);
        }
        return CompletableFuture.failedFuture(new StageFailure(named.name(), cause));
      }
      if (!(decision instanceof Decision.Deny) || ((Decision.Deny) decision).stage() != null) {
        return null;
      }
      Decision.Deny deny = ((Decision.Deny) decision).fromStage(named.name());
      if (named.reportOnly()) {
        ShadowDenials shadow = attributes.getOrNull(SHADOW);
        if (shadow == null) {
          shadow = new ShadowDenials();
          attributes.put(SHADOW, shadow);
        }
        shadow.entries.add(named.name() + ":" + deny.reason().slug());
        return next.downstream != null ? next.downstream : next.proceed();
      }
      return CompletableFuture.completedFuture(deny);
    }

    private String routeName() {
      Route route = attributes.getOrNull(Attributes.ROUTE);
      return route == null ? "" : route.name();
    }
  }

  /** A stage that threw or failed: infrastructure trouble or a bug, answered with 503. */
  static final class StageFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String stage;

    StageFailure(String stage, Throwable cause) {
      super("stage '" + stage + "' failed", cause, false, false);
      this.stage = stage;
    }
  }

}
