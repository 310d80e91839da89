package io.apisec.standalone;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.Identity;
import io.apisec.ResponseCheck;
import io.apisec.vertx.ApiSecurityHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Map;

/**
 * Sends an upstream response through its route's response check: the body is buffered (up to the
 * check's bound, on the event loop, without blocking it), validated by the core, and then either
 * sent unchanged (same status, headers and bytes; chunked stays chunked) or replaced by the core's
 * {@code 502} problem document. Only responses whose route has response validation on come here;
 * all others stream through untouched. Stateless; each response's state lives in its callbacks.
 */
final class CheckedResponse {
  /** Set on a proxy context whose response the gateway made itself (upstream down, timeout). */
  static final String SYNTHETIC = "apisec.synthetic-response";

  private CheckedResponse() {}

  /** The response check for the request of {@code context}, or null when there is none to make. */
  static ResponseCheck checkFor(ApiSecurity security, ProxyContext context, String requestId) {
    if (context.get(SYNTHETIC, Boolean.class) != null || context.response().getStatusCode() == 101) {
      return null;
    }
    HttpServerRequest request = context.request().proxiedRequest();
    Identity identity = ApiSecurityHandler.identity(request).orElse(Identity.ANONYMOUS);
    return security.responseCheck(request.method().name(), request.path(), identity, requestId).orElse(null);
  }

  /** Buffers, checks and sends the response of {@code context}. */
  static Future<Void> send(ProxyContext context, ResponseCheck check) {
    ProxyResponse response = context.response();
    int status = response.getStatusCode();
    Headers headers = headers(response.headers());
    Body body = response.getBody();
    if (body == null) {
      return decide(context, check.check(status, headers, new byte[0]));
    }
    long length = body.length();
    if (length > check.maxBody()) {
      ResponseCheck.Verdict verdict = check.bodyTooLarge(status, headers);
      if (verdict.passes()) {
        return context.sendResponse();
      }
      return refuse(context, verdict.refusal());
    }
    ReadStream<Buffer> stream = body.stream();
    Promise<Boolean> read = Promise.promise();
    Buffer collected = Buffer.buffer(length > 0 ? (int) length : 1024);
    stream.exceptionHandler(read::tryFail);
    stream.endHandler(v -> read.tryComplete(Boolean.TRUE));
    stream.handler(chunk -> {
      collected.appendBuffer(chunk);
      if (collected.length() > check.maxBody()) {
        stream.pause();
        read.tryComplete(Boolean.FALSE);
      }
    });
    stream.resume();
    return read.future().compose(complete -> {
      if (!complete) {
        ResponseCheck.Verdict verdict = check.bodyTooLarge(status, headers);
        if (verdict.passes()) {
          // report-only: what was read goes first, then the rest streams on unvalidated
          stream.handler(null).endHandler(null).exceptionHandler(null);
          response.setBody(Body.body(new PrefixedStream(collected, stream), length));
          return context.sendResponse();
        }
        stream.handler(null);
        return refuse(context, verdict.refusal());
      }
      ResponseCheck.Verdict verdict = check.check(status, headers, collected.getBytes());
      if (verdict.passes()) {
        // the same bytes, with the upstream's framing: a length when it sent one, else chunked
        response.setBody(Body.body(Body.body(collected).stream(), length));
        return context.sendResponse();
      }
      return refuse(context, verdict.refusal());
    });
  }

  private static Future<Void> decide(ProxyContext context, ResponseCheck.Verdict verdict) {
    return verdict.passes() ? context.sendResponse() : refuse(context, verdict.refusal());
  }

  /** Replaces the upstream response, whose status, headers and bytes never reach the client. */
  private static Future<Void> refuse(ProxyContext context, Decision.Deny deny) {
    ProxyResponse response = context.response().release(); // drains and drops the rest of the upstream body
    response.headers().clear();
    response.setStatusCode(deny.status()).setStatusMessage(null);
    MultiMap already = context.request().proxiedRequest().response().headers();
    deny.responseHeaders().forEach((name, value) -> {
      if (!already.contains(name)) {
        response.headers().add(name, value);
      }
    });
    response.putHeader("content-type", deny.contentType());
    response.setBody(Body.body(Buffer.buffer(deny.body())));
    return context.sendResponse();
  }

  private static Headers headers(MultiMap headers) {
    Headers.Builder out = Headers.builder();
    for (Map.Entry<String, String> header : headers) {
      out.add(header.getKey(), header.getValue());
    }
    return out.build();
  }

  /** A buffer already read, then the rest of a paused stream. */
  private static final class PrefixedStream implements ReadStream<Buffer> {
    private Buffer prefix;
    private final ReadStream<Buffer> rest;
    private Handler<Buffer> handler;
    private boolean paused;

    PrefixedStream(Buffer prefix, ReadStream<Buffer> rest) {
      this.prefix = prefix;
      this.rest = rest;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      rest.exceptionHandler(h);
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      rest.handler(h);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      rest.endHandler(h);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      rest.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      long left = amount;
      paused = false;
      if (prefix != null && handler != null && left > 0) {
        Buffer first = prefix;
        prefix = null;
        handler.handle(first);
        if (paused) {
          return this; // the writer is full: the rest waits for the next resume or fetch
        }
        left = left == Long.MAX_VALUE ? left : left - 1;
      }
      if (left == Long.MAX_VALUE) {
        rest.resume();
      } else if (left > 0) {
        rest.fetch(left);
      }
      return this;
    }
  }
}
