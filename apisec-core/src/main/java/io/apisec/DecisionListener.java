package io.apisec;

/**
 * Receives one {@link AuditEvent} per decision: the hook for audit logs and for an embedder's own
 * metrics library. Called on the thread that completed the decision, which may be an event loop:
 * implementations must be fast, thread-safe and must not block. An exception thrown here is
 * swallowed (and never changes the decision).
 */
@FunctionalInterface
public interface DecisionListener {
  void onDecision(AuditEvent event);

  /**
   * Receives a response that did not match its route's OpenAPI contract (stage {@code response},
   * reason {@code invalid-response}): outcome {@code allow} when the route only reports, {@code
   * deny} when the response was replaced by a {@code 502}. Ignored unless overridden.
   */
  default void onResponseViolation(AuditEvent event) {}
}
