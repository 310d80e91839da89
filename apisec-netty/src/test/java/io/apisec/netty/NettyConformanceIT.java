package io.apisec.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;

/** The conformance kit against the Netty handler, with Netty's leak detector at PARANOID. */
class NettyConformanceIT extends AdapterConformanceKit {
  static {
    RecordingLeakDetector.install();
  }

  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    SslContext ssl = SslContextBuilder.forServer(tls.keyManagers())
        .trustManager(tls.trustManagers()).clientAuth(ClientAuth.OPTIONAL).build();
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(ssl.newHandler(channel.alloc()), new HttpServerCodec(),
                new ApiSecurityHandler(security), new HttpObjectAggregator(1 << 20), new Echo(app));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    return new RunningServer(((InetSocketAddress) server.localAddress()).getPort(), () -> {
      server.close().sync();
      group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).sync();
    });
  }

  @Override
  protected void assertEventLoopNeverBlocked() {
    assertThat(RecordingLeakDetector.leaks()).isEmpty();
  }

  @AfterAll
  void noBufferLeaked() {
    RecordingLeakDetector.collectAndCheck();
    assertThat(RecordingLeakDetector.leaks()).isEmpty();
  }

  /** The application: echoes what the handler passed on. */
  private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final EchoApplication app;

    Echo(EchoApplication app) {
      this.app = app;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      EchoApplication.Reply reply = app.handle(request.method().name(), new QueryStringDecoder(request.uri()).rawPath(),
          request.headers().get("x-request-id"), ctx.channel().attr(ApiSecurityHandler.IDENTITY).get(),
          ByteBufUtil.getBytes(request.content()));
      FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
          HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
      reply.headers().forEach(response.headers()::set);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
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
