package io.apisec.netty;

import io.apisec.ApiSecurity;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.Identity;
import io.apisec.RequestView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs the apisec pipeline for each request of an HTTP/1.1 connection; place it right after
 * {@code HttpServerCodec} (and the {@code SslHandler} before that), before the application.
 *
 * <p>An allowed request goes on with the verified {@link Identity} in the channel attribute
 * {@link #IDENTITY} and the core's upstream headers added: as a {@link FullHttpRequest} holding the
 * body when a stage read it, else as the original request and content messages. The core's
 * response headers are added to the application's response. A denial is answered here; the
 * connection stays open only when the denied request's body was fully received. A request with
 * {@code Expect: 100-continue} gets its {@code 100 Continue} here when the core first asks for its
 * body, after the checks that need none; a route whose checks never read the body leaves the Expect
 * field to the application. Requests of a
 * connection, pipelined or not, are evaluated one at a time in order; messages that arrive
 * meanwhile wait, with auto-read off, and a body is buffered only as far as the limit the core asks
 * for. Evaluation may complete on another thread; everything here runs on the channel's event loop.
 *
 * <p>Not sharable: one instance per channel, for the channel's lifetime.
 */
public final class ApiSecurityHandler extends ChannelDuplexHandler {
  /** The identity of the request being served on this channel, set before the request goes on. */
  public static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("apisec.identity");

  private enum State { IDLE, EVALUATING, PASSING, AWAITING_RESPONSE, CLOSED }

  private final ApiSecurity security;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private HttpRequest request;
  private boolean requestEnded;
  private boolean responseEnded;
  private Decision.Allow allowed;
  private BodyRead body;
  private boolean draining;

  public ApiSecurityHandler(ApiSecurity security) {
    this.security = Objects.requireNonNull(security, "security");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent && ((HttpContent) msg).decoderResult().isFailure()) {
      // a malformed chunk would otherwise read as the end of a shorter body
      ReferenceCountUtil.release(msg);
      closeNow();
      return;
    }
    switch (state) {
      case CLOSED:
        ReferenceCountUtil.release(msg);
        break;
      case IDLE:
        if (msg instanceof HttpRequest) {
          begin((HttpRequest) msg);
        } else {
          ReferenceCountUtil.release(msg);
        }
        break;
      case PASSING:
        if (msg instanceof HttpContent) {
          pass((HttpContent) msg);
        } else {
          waiting.add(msg);
        }
        break;
      default:
        if (state == State.EVALUATING && body != null && !body.done && msg instanceof HttpContent) {
          body.append((HttpContent) msg);
        } else {
          waiting.add(msg);
        }
    }
  }

  private void begin(HttpRequest message) {
    request = message;
    requestEnded = false;
    responseEnded = false;
    allowed = null;
    body = null;
    state = State.EVALUATING;
    ctx.channel().config().setAutoRead(false);
    if (message.decoderResult().isFailure()) {
      // the codec stops parsing this connection: answer from what it parsed, then close
      NettyResponses.deny(ctx, message.protocolVersion(),
          security.refuseUnparsable(NettyRequestView.of(ctx.channel(), message, null)), false);
      state = State.CLOSED;
      releaseWaiting();
      ReferenceCountUtil.release(message);
      return;
    }
    RequestView view = NettyRequestView.of(ctx.channel(), message, this::readBody);
    security.evaluate(view).whenComplete((decision, failure) -> onLoop(() -> decide(message, view, decision)));
  }

  private CompletionStage<byte[]> readBody(long maxBytes) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    onLoop(() -> {
      continueIfExpected();
      body = new BodyRead(maxBytes, result);
      while (!body.done && waiting.peek() instanceof HttpContent) {
        body.append((HttpContent) waiting.poll());
      }
      if (!body.done) {
        ctx.read();
      }
    });
    return result;
  }

  /**
   * Invites the body of a request that waits for {@code 100 Continue}: only now, once every check
   * that needs no body has passed, so a refused client never gets to upload. The Expect field is
   * then removed so that the application (an HttpObjectAggregator) does not answer it a second time.
   */
  private void continueIfExpected() {
    if (requestEnded || !HttpUtil.is100ContinueExpected(request)) {
      return;
    }
    request.headers().remove(HttpHeaderNames.EXPECT);
    if (!(waiting.peek() instanceof HttpContent)) {
      // past this handler's own write: an interim response is no answer to the request
      ctx.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
  }

  private void decide(HttpRequest message, RequestView view, Decision decision) {
    if (message != request || state != State.EVALUATING) {
      return;
    }
    if (decision == null || !ctx.channel().isActive() || body != null && !body.done) {
      closeNow();
      return;
    }
    if (decision instanceof Decision.Deny) {
      discardWaitingContent();
      // a request without a body has ended even if the codec's empty last content is still unread
      boolean keepAlive = (requestEnded || carriesNoBody(message)) && HttpUtil.isKeepAlive(message);
      NettyResponses.deny(ctx, message.protocolVersion(), (Decision.Deny) decision, keepAlive);
      if (keepAlive) {
        idle();
      } else {
        state = State.CLOSED;
        releaseWaiting();
      }
      return;
    }
    allowed = (Decision.Allow) decision;
    ctx.channel().attr(IDENTITY).set(allowed.identity());
    NettyResponses.replace(message.headers(), allowed.upstreamHeaders());
    byte[] buffered = view.bufferedBody().orElse(null);
    if (body != null && buffered != null) {
      FullHttpRequest full = new DefaultFullHttpRequest(message.protocolVersion(), message.method(), message.uri(),
          Unpooled.wrappedBuffer(buffered), message.headers(), body.trailers);
      full.headers().remove(HttpHeaderNames.TRANSFER_ENCODING).setInt(HttpHeaderNames.CONTENT_LENGTH, buffered.length);
      state = State.AWAITING_RESPONSE;
      ctx.fireChannelRead(full);
      return;
    }
    state = State.PASSING;
    ctx.fireChannelRead(message);
    while (state == State.PASSING && waiting.peek() instanceof HttpContent) {
      pass((HttpContent) waiting.poll());
    }
    if (state == State.PASSING) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private static boolean carriesNoBody(HttpRequest message) {
    return !HttpUtil.isTransferEncodingChunked(message) && HttpUtil.getContentLength(message, 0L) == 0L;
  }

  private void pass(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    ctx.fireChannelRead(content);
    if (last) {
      requestEnded = true;
      state = State.AWAITING_RESPONSE;
      ctx.channel().config().setAutoRead(false);
      if (responseEnded) {
        ctx.executor().execute(this::nextRequest);
      }
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (allowed != null && msg instanceof HttpResponse) {
      NettyResponses.replace(((HttpResponse) msg).headers(), allowed.responseHeaders());
    }
    boolean ends = msg instanceof LastHttpContent && (state == State.AWAITING_RESPONSE || state == State.PASSING);
    ctx.write(msg, promise);
    if (ends) {
      allowed = null;
      responseEnded = true;
      if (state == State.AWAITING_RESPONSE) {
        // the next request starts once this write has left the handler
        ctx.executor().execute(this::nextRequest);
      }
    }
  }

  private void nextRequest() {
    if (state == State.AWAITING_RESPONSE && responseEnded) {
      idle();
    }
  }

  /** Ready for the next request: takes it from those that arrived meanwhile, or reads on. */
  private void idle() {
    state = State.IDLE;
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (state == State.IDLE && !waiting.isEmpty()) {
        channelRead(ctx, waiting.poll());
      }
    } finally {
      draining = false;
    }
    if (state == State.IDLE) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Drops the rest of a denied request's body that already arrived. */
  private void discardWaitingContent() {
    while (waiting.peek() instanceof HttpContent) {
      Object content = waiting.poll();
      requestEnded |= content instanceof LastHttpContent;
      ReferenceCountUtil.release(content);
    }
  }

  private void releaseWaiting() {
    for (Object msg = waiting.poll(); msg != null; msg = waiting.poll()) {
      ReferenceCountUtil.release(msg);
    }
  }

  private void closeNow() {
    state = State.CLOSED;
    releaseWaiting();
    ctx.close();
  }

  private void onLoop(Runnable task) {
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      ctx.executor().execute(task);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    state = State.CLOSED;
    releaseWaiting();
    if (body != null && !body.done) {
      body.fail(new ClosedChannelException());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  /** A body being read for the core: bytes up to the limit, then done or failed. */
  private final class BodyRead {
    private final long limit;
    private final CompletableFuture<byte[]> result;
    private byte[] bytes = new byte[256];
    private int size;
    private boolean done;
    private io.netty.handler.codec.http.HttpHeaders trailers = io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE;

    BodyRead(long limit, CompletableFuture<byte[]> result) {
      this.limit = limit;
      this.result = result;
    }

    void append(HttpContent content) {
      try {
        boolean last = content instanceof LastHttpContent;
        requestEnded |= last;
        ByteBuf chunk = content.content();
        int readable = chunk.readableBytes();
        if (size + (long) readable > limit) {
          fail(new BodyTooLargeException(limit));
          return;
        }
        if (size + readable > bytes.length) {
          bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + readable, bytes.length * 2L)));
        }
        chunk.readBytes(bytes, size, readable);
        size += readable;
        if (last) {
          trailers = ((LastHttpContent) content).trailingHeaders().copy();
          done = true;
          result.complete(Arrays.copyOf(bytes, size));
        } else {
          ctx.read();
        }
      } finally {
        ReferenceCountUtil.release(content);
      }
    }

    void fail(Throwable failure) {
      done = true;
      bytes = null;
      result.completeExceptionally(failure);
    }
  }
}
