package io.apisec;

import io.apisec.internal.ProblemDocument;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of the pipeline for one request: {@link Allow} with the verified identity, or
 * {@link Deny} with everything the adapter needs to write the refusal. Immutable.
 */
public sealed interface Decision permits Decision.Allow, Decision.Deny {
  /** The HTTP status an adapter answers with for a denial; 200 stands for "pass on". */
  int status();

  /** Headers the adapter sets on the response, whatever the outcome. */
  Headers responseHeaders();

  /** This decision with {@code more} response headers added. */
  Decision withResponseHeaders(Headers more);

  /** The request id, once the pipeline has finished the decision. */
  String requestId();

  /** Returns a denial for {@code reason}, with an operator-facing detail that never holds secrets. */
  static Deny deny(DenyReason reason, String detail) {
    return new Deny(reason, detail, Headers.empty(), Map.of(), "", null, null);
  }

  /** The request may pass to the application. */
  final class Allow implements Decision {
    private final Identity identity;
    private final Headers responseHeaders;
    private final Headers upstreamHeaders;
    private final String requestId;
    private final String route;

    Allow(Identity identity, Headers responseHeaders, Headers upstreamHeaders, String requestId, String route) {
      this.identity = Objects.requireNonNull(identity, "identity");
      this.responseHeaders = responseHeaders;
      this.upstreamHeaders = upstreamHeaders;
      this.requestId = requestId;
      this.route = route;
    }

    /** The verified identity of the caller. */
    public Identity identity() {
      return identity;
    }

    /** Headers to add to the request passed on (such as the request id). */
    public Headers upstreamHeaders() {
      return upstreamHeaders;
    }

    /** The name of the matched route, or empty when none matched and the default allowed it. */
    public String route() {
      return route;
    }

    @Override
    public int status() {
      return 200;
    }

    @Override
    public Headers responseHeaders() {
      return responseHeaders;
    }

    @Override
    public Allow withResponseHeaders(Headers more) {
      return new Allow(identity, responseHeaders.plus(more), upstreamHeaders, requestId, route);
    }

    Allow finish(String id, Headers response, Headers upstream) {
      return new Allow(identity, response.plus(responseHeaders), upstream.plus(upstreamHeaders), id, route);
    }

    @Override
    public String requestId() {
      return requestId;
    }

    @Override
    public String toString() {
      return "Allow[route=" + route + ", requestId=" + requestId + ']';
    }
  }

  /** The request is refused; the adapter writes {@link #status()}, headers and {@link #body()}. */
  final class Deny implements Decision {
    private final DenyReason reason;
    private final String detail;
    private final Headers responseHeaders;
    private final Map<String, Object> members;
    private final String requestId;
    private final byte[] body;
    private final String stage;

    Deny(
        DenyReason reason,
        String detail,
        Headers responseHeaders,
        Map<String, Object> members,
        String requestId,
        byte[] body,
        String stage) {
      this.stage = stage;
      this.reason = Objects.requireNonNull(reason, "reason");
      this.detail = detail == null ? reason.title() : detail;
      this.responseHeaders = responseHeaders;
      this.members = members;
      this.requestId = requestId;
      this.body = body;
    }

    public DenyReason reason() {
      return reason;
    }

    /** The problem document's {@code detail}: helps an operator, never echoes a secret. */
    public String detail() {
      return detail;
    }

    /** Extension members of the problem document, such as the list of schema violations. */
    public Map<String, Object> problemMembers() {
      return members;
    }

    @Override
    public int status() {
      return reason.status();
    }

    @Override
    public Headers responseHeaders() {
      return responseHeaders;
    }

    @Override
    public Deny withResponseHeaders(Headers more) {
      return new Deny(reason, detail, responseHeaders.plus(more), members, requestId, body, stage);
    }

    /** This denial with one more header. */
    public Deny withHeader(String name, String value) {
      return withResponseHeaders(Headers.of(name, value));
    }

    /** This denial with an extension member in its problem document. */
    public Deny withProblemMember(String name, Object value) {
      Map<String, Object> more = new LinkedHashMap<>(members);
      more.put(name, value);
      return new Deny(reason, detail, responseHeaders, Map.copyOf(more), requestId, body, stage);
    }

    @Override
    public String requestId() {
      return requestId;
    }

    /** The {@code application/problem+json} body (RFC 9457). */
    public byte[] body() {
      return body == null ? ProblemDocument.toJson(this) : body.clone();
    }

    /** The body's media type. */
    public String contentType() {
      return ProblemDocument.MEDIA_TYPE;
    }

    /** The name of the stage that denied, or null before the pipeline attributed it. */
    public String stage() {
      return stage;
    }

    Deny fromStage(String name) {
      return new Deny(reason, detail, responseHeaders, members, requestId, body, name);
    }

    Deny finish(String id, Headers securityHeaders) {
      Deny withId = new Deny(reason, detail, securityHeaders.plus(responseHeaders), members, id, null, stage);
      return new Deny(
          reason, detail, withId.responseHeaders, members, id, ProblemDocument.toJson(withId), stage);
    }

    @Override
    public String toString() {
      return "Deny[" + reason.status() + ' ' + reason.slug() + ", requestId=" + requestId + ']';
    }
  }
}
