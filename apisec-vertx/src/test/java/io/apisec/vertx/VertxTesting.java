package io.apisec.vertx;

import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One event loop with a short blocked-thread check whose warnings are recorded, and HTTPS options. */
final class VertxTesting {
  static final List<String> BLOCKED = new CopyOnWriteArrayList<>();
  private static final Logger CHECKER = Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  static {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    CHECKER.addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        BLOCKED.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  private VertxTesting() {}

  /** A Vert.x with one event loop that reports any task holding it for more than 200 ms. */
  static Vertx vertx() {
    return Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(1)
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
  }

  static HttpServerOptions https(ServerTls tls) {
    return new HttpServerOptions()
        .setHost("127.0.0.1").setPort(0).setSsl(true).setClientAuth(ClientAuth.REQUEST)
        .setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(tls.keyStorePkcs12())).setPassword(tls.password()))
        .setTrustOptions(new PfxOptions().setValue(Buffer.buffer(tls.trustStorePkcs12())).setPassword(tls.password()));
  }

  static AdapterConformanceKit.RunningServer listen(Vertx vertx, HttpServer server) throws Exception {
    HttpServer started = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new AdapterConformanceKit.RunningServer(started.actualPort(),
        () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** Writes the echo application's reply. */
  static void reply(HttpServerRequest request, EchoApplication.Reply reply) {
    request.response().setStatusCode(reply.status());
    reply.headers().forEach(request.response()::putHeader);
    request.response().end(Buffer.buffer(reply.body()));
  }
}
