package io.apisec.netty;

import io.apisec.Decision;
import io.apisec.Headers;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Writes the core's decisions as Netty responses and header changes. */
final class NettyResponses {
  private NettyResponses() {}

  /** Writes a denial; closes the connection after it unless {@code keepAlive}. */
  static void deny(ChannelHandlerContext ctx, HttpVersion version, Decision.Deny deny, boolean keepAlive) {
    byte[] body = deny.body();
    FullHttpResponse response = new DefaultFullHttpResponse(
        version, HttpResponseStatus.valueOf(deny.status()), Unpooled.wrappedBuffer(body));
    replace(response.headers(), deny.responseHeaders());
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, deny.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!version.isKeepAliveDefault()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (keepAlive) {
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Sets every field of {@code fields} on {@code target}, replacing fields of the same names. */
  static void replace(HttpHeaders target, Headers fields) {
    // removing a name twice is harmless, and saves building the set of names on every request
    fields.forEach((name, value) -> target.remove(name));
    fields.forEach(target::add);
  }
}
