package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Per-adapter overhead (issue 7): one keep-alive HTTP/1.1 request and its response over loopback,
 * to a bare Netty or Vert.x server answering {@code 200 ok}, and to the same server with the
 * apisec handler in front ({@code GET /jwt} with a repeated RS256 token: front door, JWT from the
 * verified-token cache, scope check). Plain HTTP on one event loop, so that TLS, identical on both
 * sides, does not dilute the ratio. The client is a blocking socket loop in the benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class AdapterBenchmark {
  private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

  @Param({"netty", "vertx"})
  String framework;

  @Param({"bare", "apisec"})
  String server;

  private Fixture fixture;
  private ApiSecurity security;
  private EventLoopGroup nettyGroup;
  private Channel nettyChannel;
  private Vertx vertx;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private byte[] request;
  private final byte[] buffer = new byte[16 * 1024];

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    fixture = new Fixture();
    security = fixture.security(Bench.WARM_CACHE);
    int port = framework.equals("netty") ? startNetty() : startVertx();
    request = ("GET /jwt HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench/1.0\r\nAccept: application/json\r\n"
        + "Authorization: Bearer " + fixture.token("RS256") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    int status = exchange();
    if (status != 200) {
      throw new IllegalStateException(framework + " " + server + " answered " + status + " to GET /jwt");
    }
  }

  private int startNetty() throws InterruptedException {
    nettyGroup = new NioEventLoopGroup(1);
    boolean apisec = server.equals("apisec");
    nettyChannel = new ServerBootstrap().group(nettyGroup).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec());
            if (apisec) {
              ch.pipeline().addLast(new io.apisec.netty.ApiSecurityHandler(security));
            }
            ch.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg instanceof HttpRequest) {
                  FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                      Unpooled.wrappedBuffer(OK));
                  response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                  HttpUtil.setContentLength(response, OK.length);
                  boolean keepAlive = HttpUtil.isKeepAlive((HttpRequest) msg);
                  HttpUtil.setKeepAlive(response, keepAlive);
                  ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE
                      : ChannelFutureListener.CLOSE);
                }
              }
            });
          }
        })
        .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    return ((InetSocketAddress) nettyChannel.localAddress()).getPort();
  }

  private int startVertx() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Router router = Router.router(vertx);
    if (server.equals("apisec")) {
      router.route().handler(io.apisec.vertx.ApiSecurityHandler.create(security));
    }
    router.route().handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok"));
    HttpServer http = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return http.actualPort();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    socket.close();
    if (nettyChannel != null) {
      nettyChannel.close().sync();
      nettyGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    security.close();
    fixture.close();
  }

  @Benchmark
  public int request() {
    return exchange();
  }

  /** Sends the request and reads one response (headers, then Content-Length bytes); returns its status. */
  private int exchange() {
    try {
      out.write(request);
      out.flush();
      int length = 0;
      int headerEnd = -1;
      while (headerEnd < 0) {
        int n = in.read(buffer, length, buffer.length - length);
        if (n < 0) {
          throw new IOException("the server closed the connection");
        }
        length += n;
        headerEnd = indexOfBlankLine(buffer, length);
      }
      String head = new String(buffer, 0, headerEnd, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(head.substring(9, 12));
      int contentLength = contentLength(head);
      int remaining = headerEnd + 4 + contentLength - length;
      while (remaining > 0) {
        int n = in.read(buffer, 0, Math.min(buffer.length, remaining));
        if (n < 0) {
          throw new IOException("the server closed the connection mid-body");
        }
        remaining -= n;
      }
      return status;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOfBlankLine(byte[] b, int length) {
    for (int i = 0; i + 3 < length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return 0;
  }
}
