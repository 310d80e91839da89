package io.apisec.examples.netty;

import io.apisec.ApiSecurity;
import io.apisec.Identity;
import io.apisec.config.ConfigLoader;
import io.apisec.netty.ApiSecurityHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A Netty HTTP/1.1 server (HTTPS when given a certificate) with the apisec handler right after the codec. */
public final class NettyExample {
  private NettyExample() {}

  /**
   * Binds {@code 127.0.0.1:port} (0 for a free port), serving HTTPS with {@code tls} or plain HTTP
   * when it is null; close the channel, then shut the group down.
   */
  public static Channel start(ApiSecurity security, EventLoopGroup group, int port, SslContext tls)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            ChannelPipeline pipeline = channel.pipeline();
            if (tls != null) {
              pipeline.addLast(tls.newHandler(channel.alloc())); // before the codec: apisec sees the TLS session
            }
            pipeline.addLast(
                new HttpServerCodec(),
                new ApiSecurityHandler(security),      // one per channel: it is not sharable
                new HttpObjectAggregator(64 * 1024),
                new Application());
          }
        })
        .bind("127.0.0.1", port).sync().channel();
  }

  /** The bundled {@code apisec.yaml}. */
  static ApiSecurity bundledSecurity() throws IOException {
    try (InputStream in = NettyExample.class.getResourceAsStream("/apisec.yaml")) {
      return ApiSecurity.of(ConfigLoader.parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), null));
    }
  }

  /** Arguments: {@code [apisec.yaml [certificate-chain.pem private-key.pem]]}; HTTPS with the latter two. */
  public static void main(String[] args) throws Exception {
    ApiSecurity security = args.length > 0 ? ApiSecurity.fromFile(java.nio.file.Path.of(args[0])) : bundledSecurity();
    SslContext tls = args.length > 2 ? SslContextBuilder.forServer(new File(args[1]), new File(args[2])).build() : null;
    EventLoopGroup group = new NioEventLoopGroup();
    try {
      Channel server = start(security, group, 8080, tls);
      String base = (tls == null ? "http" : "https") + "://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
      System.out.println("apisec Netty example listening on " + base);
      System.out.println("  curl -i " + base + "/hello");
      System.out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/me"
          + "    # a token of the issuer in apisec.yaml, with scope greetings:read");
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
      security.close();
    }
  }

  /** The application: sees only requests the apisec handler allowed. */
  private static final class Application extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String body;
      if (request.uri().startsWith("/me")) {
        // the verified identity of the request being served on this channel
        Identity identity = ctx.channel().attr(ApiSecurityHandler.IDENTITY).get();
        body = "{\"subject\":\"" + identity.principalName().orElse("") + "\"}";
      } else {
        body = "{\"greeting\":\"hello\"}";
      }
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      HttpUtil.setContentLength(response, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
