package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.RequestView;
import io.apisec.Stage;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Checks what a request carries, in this order: OpenAPI path and query parameters ({@code 400
 * invalid-parameter}); a body the route requires ({@code 400}); the media type and charset
 * ({@code 415}, with {@code Accept-Post}/{@code Accept-Patch}); the declared length, before a byte
 * is read ({@code 413}); the body, read through {@link RequestView#body(long)} so the adapter never
 * holds more than the limit ({@code 413}); then JSON parsing limits ({@code 400
 * malformed-payload}) and the schema with strict mode ({@code 400 invalid-payload} listing each
 * violation). A request without a body skips everything after the parameters.
 *
 * <p>Immutable and thread-safe; everything is compiled at start.
 */
final class PayloadStage implements Stage {
  private final long maxBody;
  private final MediaTypes mediaTypes;
  private final JsonSchema schema;
  private final StrictShape strict;
  private final ParameterCheck parameters;
  /** Whether a body is required: the OpenAPI operation says, else POST, PUT and PATCH need one when a schema is set. */
  private final Boolean bodyRequired;
  private final JsonBodyParser parser;
  private final int maxErrors;
  private final Set<String> redact;

  PayloadStage(long maxBody, MediaTypes mediaTypes, JsonSchema schema, StrictShape strict,
      ParameterCheck parameters, Boolean bodyRequired, JsonBodyParser parser, int maxErrors, Set<String> redact) {
    this.maxBody = maxBody;
    this.mediaTypes = mediaTypes;
    this.schema = schema;
    this.strict = strict;
    this.parameters = parameters;
    this.bodyRequired = bodyRequired;
    this.parser = parser;
    this.maxErrors = maxErrors;
    this.redact = redact;
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    RequestView request = chain.request();
    if (parameters != null) {
      Violations violations = new Violations(maxErrors, redact);
      parameters.check(request.path(), request.rawQuery(), violations);
      if (!violations.isEmpty()) {
        return done(Decision.deny(DenyReason.INVALID_PARAMETER,
                "Request parameters do not match their schemas (" + counted(violations) + ")")
            .withProblemMember("errors", violations.entries()));
      }
    }
    if (!request.hasBody()) {
      if (bodyRequired != null ? bodyRequired : schema != null && needsBody(request.method())) {
        return done(Decision.deny(DenyReason.INVALID_PAYLOAD, "The route requires a JSON body"));
      }
      return chain.proceed();
    }
    String contentType = request.headers().firstOrNull("content-type");
    if (mediaTypes != null) {
      String refusal = mediaTypes.refusal(contentType);
      if (refusal != null) {
        Decision.Deny deny = Decision.deny(DenyReason.UNSUPPORTED_MEDIA_TYPE, refusal);
        if (request.method().equals("POST")) {
          deny = deny.withHeader("Accept-Post", mediaTypes.advertised());
        } else if (request.method().equals("PATCH")) {
          deny = deny.withHeader("Accept-Patch", mediaTypes.advertised());
        }
        return done(deny);
      }
    }
    if (declaredLengthExceeds(request.headers().firstOrNull("content-length"))) {
      return done(tooLarge());
    }
    // the schema describes JSON; a route may also accept other types, which are only size-checked
    boolean validate = schema != null && MediaTypes.isJson(MediaTypes.mediaType(contentType));
    CompletionStage<byte[]> body = request.body(maxBody);
    if (body instanceof CompletableFuture<byte[]> future && future.isDone() && !future.isCompletedExceptionally()) {
      return afterBody(chain, future.join(), validate); // the blocking adapters' path: no extra stages
    }
    return body.handle((bytes, failure) -> {
      if (failure == null) {
        return afterBody(chain, bytes, validate);
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof BodyTooLargeException) {
        return done(tooLarge());
      }
      return CompletableFuture.<Decision>failedFuture(cause);
    }).thenCompose(next -> next);
  }

  private CompletionStage<Decision> afterBody(Chain chain, byte[] bytes, boolean validate) {
    if (bytes.length > maxBody) {
      return done(tooLarge()); // an adapter that ignored the limit still never gets past us
    }
    if (!validate) {
      return chain.proceed();
    }
    JsonBodyParser.Result parsed = parser.parse(bytes);
    if (!parsed.ok()) {
      return done(Decision.deny(DenyReason.MALFORMED_PAYLOAD, parsed.refusal()));
    }
    JsonNode tree = parsed.tree();
    Set<ValidationMessage> messages = schema.validate(tree);
    if (messages.isEmpty() && strict == null) {
      return chain.proceed();
    }
    Violations violations = new Violations(maxErrors, redact);
    for (ValidationMessage message : messages) {
      violations.add(message);
    }
    if (strict != null) {
      strict.check(tree, violations);
    }
    if (violations.isEmpty()) {
      return chain.proceed();
    }
    return done(Decision.deny(DenyReason.INVALID_PAYLOAD,
            "The body does not match the schema (" + counted(violations) + ")")
        .withProblemMember("errors", violations.entries()));
  }

  private static boolean needsBody(String method) {
    return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
  }

  private static String counted(Violations violations) {
    int shown = violations.entries().size();
    int total = violations.total();
    return total == 1 ? "1 violation" : shown == total ? total + " violations" : total + " violations, first " + shown + " listed";
  }

  private boolean declaredLengthExceeds(String contentLength) {
    if (contentLength == null) {
      return false;
    }
    String length = contentLength.trim();
    if (length.isEmpty()) {
      return false;
    }
    for (int i = 0; i < length.length(); i++) {
      if (length.charAt(i) < '0' || length.charAt(i) > '9') {
        return false; // framing is the hygiene stage's business; the read limit still holds
      }
    }
    return length.length() > 18 || Long.parseLong(length) > maxBody;
  }

  private Decision.Deny tooLarge() {
    return Decision.deny(DenyReason.PAYLOAD_TOO_LARGE, "The body exceeds the route's limit of " + maxBody + " bytes");
  }

  private static CompletionStage<Decision> done(Decision decision) {
    return CompletableFuture.completedFuture(decision);
  }
}
