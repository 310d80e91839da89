package io.apisec;

/**
 * Why a request was refused. Each reason owns its HTTP status and problem type, so no adapter
 * ever chooses a status code.
 */
public enum DenyReason {
  AMBIGUOUS_PATH(400, "ambiguous-path", "Ambiguous request path", null),
  BAD_FRAMING(400, "bad-framing", "Conflicting message framing", null),
  BAD_REQUEST(400, "bad-request", "Bad request", null),
  HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large", null),
  NO_ROUTE(404, "no-route", "No route matches the request", null),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed", null),
  CERTIFICATE_REQUIRED(401, "certificate-required", "Client certificate required", null),
  INVALID_CERTIFICATE(401, "invalid-certificate", "Invalid client certificate", null),
  CERTIFICATE_REFUSED(403, "certificate-refused", "Client certificate refused", null),
  BAD_FORWARDED_CERTIFICATE(400, "bad-forwarded-certificate", "Malformed forwarded client certificate", null),
  TOKEN_REQUIRED(401, "token-required", "Bearer token required", ""),
  INVALID_TOKEN(401, "invalid-token", "Invalid bearer token", "invalid_token"),
  INVALID_AUTHORIZATION(400, "invalid-authorization", "Malformed authorization", "invalid_request"),
  // RFC 9449 §7.1: these two challenge with the DPoP scheme, never Bearer
  INVALID_DPOP_PROOF(401, "invalid-dpop-proof", "Invalid DPoP proof", "invalid_dpop_proof"),
  AMBIGUOUS_DPOP_PROOF(400, "ambiguous-dpop-proof", "More than one DPoP proof", "invalid_dpop_proof"),
  INSUFFICIENT_SCOPE(403, "insufficient-scope", "Insufficient scope", "insufficient_scope"),
  FORBIDDEN(403, "forbidden", "Forbidden", null),
  PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large", null),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type", null),
  MALFORMED_PAYLOAD(400, "malformed-payload", "Malformed payload", null),
  INVALID_PAYLOAD(400, "invalid-payload", "Payload does not match the schema", null),
  INVALID_PARAMETER(400, "invalid-parameter", "Request parameter does not match the schema", null),
  RATE_LIMITED(429, "rate-limited", "Too many requests", null),
  INVALID_RESPONSE(502, "invalid-response", "Upstream response does not match the API contract", null),
  UNAVAILABLE(503, "unavailable", "Security check temporarily unavailable", null);

  private static final String TYPE_PREFIX = "urn:apisec:problem:";

  private final int status;
  private final String slug;
  private final String title;
  private final String bearerError;

  DenyReason(int status, String slug, String title, String bearerError) {
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.bearerError = bearerError;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The short, stable name used in audit events and metrics, such as {@code invalid-token}. */
  public String slug() {
    return slug;
  }

  /** The problem document's {@code type} URI. */
  public String type() {
    return TYPE_PREFIX + slug;
  }

  /** The problem document's {@code title}. */
  public String title() {
    return title;
  }

  /**
   * The RFC 6750 {@code error} code for a {@code WWW-Authenticate: Bearer} challenge: empty for a
   * challenge without error (no credentials sent), {@code null} when no challenge applies.
   */
  public String bearerError() {
    return bearerError;
  }
}
