package io.apisec.vertx;

import io.apisec.Identity;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.core.http.impl.HttpServerRequestWrapper;

/**
 * An allowed request as a plain handler sees it: carries the identity, and replays the body when a
 * stage already read it (the underlying request has ended by then), to whichever of the body, data
 * and end handlers the application sets.
 */
final class BufferedServerRequest extends HttpServerRequestWrapper {
  private final Identity identity;
  private final Buffer body;
  private Handler<Buffer> dataHandler;
  private Handler<Void> endHandler;
  private boolean scheduled;
  private boolean replayed;

  BufferedServerRequest(HttpServerRequestInternal delegate, Identity identity, Buffer body) {
    super(delegate);
    this.identity = identity;
    this.body = body;
  }

  Identity identity() {
    return identity;
  }

  @Override
  public HttpServerRequest handler(Handler<Buffer> handler) {
    if (body == null) {
      return super.handler(handler);
    }
    dataHandler = handler;
    scheduleReplay();
    return this;
  }

  @Override
  public HttpServerRequest endHandler(Handler<Void> handler) {
    if (body == null) {
      return super.endHandler(handler);
    }
    endHandler = handler;
    scheduleReplay();
    return this;
  }

  @Override
  public HttpServerRequest bodyHandler(Handler<Buffer> handler) {
    if (body == null) {
      return super.bodyHandler(handler);
    }
    return handler(handler);
  }

  @Override
  public Future<Buffer> body() {
    return body == null ? super.body() : Future.succeededFuture(body);
  }

  @Override
  public boolean isEnded() {
    return body == null ? super.isEnded() : replayed;
  }

  @Override
  public HttpServerRequest pause() {
    return body == null ? super.pause() : this;
  }

  @Override
  public HttpServerRequest resume() {
    return body == null ? super.resume() : this;
  }

  @Override
  public HttpServerRequest fetch(long amount) {
    return body == null ? super.fetch(amount) : this;
  }

  /** Delivers after the application's handler returns, as the network would. */
  private void scheduleReplay() {
    if (scheduled) {
      return;
    }
    scheduled = true;
    context().runOnContext(v -> {
      replayed = true;
      if (dataHandler != null) {
        dataHandler.handle(body);
      }
      if (endHandler != null) {
        endHandler.handle(null);
      }
    });
  }
}
