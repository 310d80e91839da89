package io.apisec;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One decision, as written to the audit log and handed to {@link DecisionListener}s. Holds no
 * token, secret or credential header value: those are redacted before the event is built.
 *
 * @param time when the decision was made
 * @param requestId the request id
 * @param method the request method
 * @param path the normalised path (the raw path when it was refused as ambiguous)
 * @param route the matched route's name, empty when none matched
 * @param outcome {@code allow} or {@code deny}
 * @param status the HTTP status of a denial, 200 for an allowed request
 * @param reason the denial's reason slug ({@code invalid-token}…), empty when allowed
 * @param stage the stage that denied, empty when allowed or denied before routing
 * @param detail the denial's operator-facing detail, empty when allowed
 * @param subject the verified token subject, or the certificate subject, empty when anonymous
 * @param certificateThumbprint the verified client certificate's SHA-256 thumbprint, or empty
 * @param clientIp the client IP as resolved through trusted proxies
 * @param latencyNanos the time the pipeline took
 * @param shadowDenials denials that report-only stages would have made ({@code stage:reason})
 * @param headers the request headers the audit configuration records, credentials redacted
 * @param notes what the checks noticed without deciding on it — a forwarded certificate ignored
 *     because it came from an untrusted peer ({@code ignored-forwarded-certificate:<header>}), a
 *     certificate allowed by OCSP soft-fail ({@code ocsp:soft-fail: <why>}) — so that an allowed
 *     request that needed leniency is visible in the log
 */
public record AuditEvent(
    Instant time,
    String requestId,
    String method,
    String path,
    String route,
    String outcome,
    int status,
    String reason,
    String stage,
    String detail,
    String subject,
    String certificateThumbprint,
    String clientIp,
    long latencyNanos,
    List<String> shadowDenials,
    Map<String, String> headers,
    List<String> notes) {

  public boolean allowed() {
    return outcome.equals("allow");
  }
}
