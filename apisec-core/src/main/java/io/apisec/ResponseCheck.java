package io.apisec;

import io.apisec.schema.ResponseContract;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The check of one upstream response against its route's OpenAPI contract, handed out by {@link
 * ApiSecurity#responseCheck} for a request whose route has response validation on. An adapter
 * buffers the response body up to {@link #maxBody()}, then calls {@link #check} (or {@link
 * #bodyTooLarge} when the body is larger) and writes the original response when the verdict
 * {@link Verdict#passes() passes}, else the verdict's {@link Verdict#refusal() refusal}.
 *
 * <p>In report-only mode every verdict passes and a violation is published to the {@link
 * DecisionListener}s ({@link DecisionListener#onResponseViolation}); in enforce mode a violation is
 * also a {@code 502 invalid-response} problem document that never quotes the upstream body.
 * Immutable and thread-safe; one instance per request. Never throws for a bad response.
 */
public final class ResponseCheck {
  private static final List<String> SHADOW = List.of("response:" + DenyReason.INVALID_RESPONSE.slug());

  private final ResponseChecks owner;
  private final ResponseContract contract;
  private final boolean enforce;
  private final String method;
  private final String path;
  private final String route;
  private final String requestId;
  private final Identity identity;

  ResponseCheck(ResponseChecks owner, ResponseContract contract, boolean enforce, String method, String path,
      String route, String requestId, Identity identity) {
    this.owner = owner;
    this.contract = contract;
    this.enforce = enforce;
    this.method = method;
    this.path = path;
    this.route = route;
    this.requestId = requestId;
    this.identity = identity;
  }

  /**
   * The outcome for one response.
   *
   * @param violations what did not match, as {@code {pointer, keyword, message}} entries, capped at
   *     {@code payload.max-errors}; pointers name fields, never their values; empty when valid
   * @param refusal the {@code 502} denial to write instead of the response, or null when the
   *     response passes unchanged
   */
  public record Verdict(List<Map<String, Object>> violations, Decision.Deny refusal) {
    static final Verdict VALID = new Verdict(List.of(), null);

    /** Whether the original response goes to the client unchanged. */
    public boolean passes() {
      return refusal == null;
    }

    /** Whether the response matched its contract. */
    public boolean valid() {
      return violations.isEmpty();
    }
  }

  /** The most body bytes to buffer; a longer body goes to {@link #bodyTooLarge}. */
  public long maxBody() {
    return owner.maxBody();
  }

  /** Whether a violation replaces the response (enforce) rather than only being reported. */
  public boolean enforcing() {
    return enforce;
  }

  /** Checks a response with its status, headers and whole body (at most {@link #maxBody()} bytes). */
  public Verdict check(int status, Headers headers, byte[] body) {
    long start = System.nanoTime();
    if (body.length > owner.maxBody()) {
      return bodyTooLarge(status, headers);
    }
    ResponseContract.Report report;
    try {
      report = contract.check(method, status, headers.firstOrNull("content-type"),
          headers.firstOrNull("content-encoding"), body);
    } catch (RuntimeException e) {
      // a validator bug must not pass an unchecked response in enforce mode, nor break report-only
      report = new ResponseContract.Report(1, List.of(Map.of("pointer", "", "keyword", "error",
          "message", "the response could not be validated")));
    }
    if (report.valid()) {
      return Verdict.VALID;
    }
    return violation(status, report.total(), report.violations(), System.nanoTime() - start);
  }

  /** The verdict for a body longer than {@link #maxBody()}: passes unvalidated when report-only, else 502. */
  public Verdict bodyTooLarge(int status, Headers headers) {
    if (method.equals("HEAD") || status == 304) {
      return Verdict.VALID; // a length without a body: nothing is sent that could leak
    }
    List<Map<String, Object>> entry = List.of(Map.of("pointer", "", "keyword", "max-response-body",
        "message", "the body exceeds " + owner.maxBody() + " bytes and was not validated"));
    return violation(status, 1, entry, 0);
  }

  private Verdict violation(int status, int total, List<Map<String, Object>> violations, long nanos) {
    StringBuilder detail = new StringBuilder("The response (status ").append(status)
        .append(") does not match the contract: ");
    for (int i = 0; i < violations.size(); i++) {
      Map<String, Object> v = violations.get(i);
      detail.append(i == 0 ? "" : ", ").append(v.get("pointer").toString().isEmpty() ? "(response)" : v.get("pointer"))
          .append(" [").append(v.get("keyword")).append(']');
    }
    if (total > violations.size()) {
      detail.append(" and ").append(total - violations.size()).append(" more");
    }
    Decision.Deny refusal = null;
    if (enforce) {
      refusal = Decision.deny(DenyReason.INVALID_RESPONSE, "The upstream response does not match the API contract")
          .fromStage("response")
          .finish(requestId, Headers.builder()
              .add("X-Request-ID", requestId)
              .add("X-Content-Type-Options", "nosniff")
              .add("Cache-Control", "no-store")
              .build());
    }
    owner.publish(new AuditEvent(
        Instant.now(owner.clock()),
        requestId,
        method,
        path,
        route,
        enforce ? "deny" : "allow",
        enforce ? DenyReason.INVALID_RESPONSE.status() : status,
        DenyReason.INVALID_RESPONSE.slug(),
        "response",
        detail.toString(),
        identity.principalName().orElse(""),
        identity.certificate().map(CertificateIdentity::sha256Thumbprint).orElse(""),
        identity.clientIp(),
        nanos,
        enforce ? List.of() : SHADOW,
        Map.of(),
        List.of()));
    return new Verdict(violations, refusal);
  }
}
