package io.apisec.standalone;

import io.apisec.internal.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's upstream: answers every request with a JSON echo of what reached it (method, path,
 * headers, body), so a user sees the identity headers the gateway added; echoes WebSocket
 * messages. Loopback only. Thread-safe.
 */
final class EchoUpstream implements AutoCloseable {
  private final HttpServer server;

  private EchoUpstream(HttpServer server) {
    this.server = server;
  }

  static EchoUpstream start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .webSocketHandler(socket -> socket.handler(socket::write))
        .requestHandler(EchoUpstream::echo);
    return new EchoUpstream(Gateway.await(server.listen(0)));
  }

  int port() {
    return server.actualPort();
  }

  private static void echo(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Map<String, Object> headers = new TreeMap<>();
      request.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue(),
          (a, b) -> a + ", " + b));
      Map<String, Object> echo = new LinkedHashMap<>();
      echo.put("upstream", "apisec demo echo");
      echo.put("method", request.method().name());
      echo.put("path", request.path());
      echo.put("headers", headers);
      echo.put("body", body.toString(StandardCharsets.UTF_8));
      request.response().putHeader("content-type", "application/json")
          .end(Buffer.buffer(Json.write(echo) + "\n"));
    });
  }

  @Override
  public void close() {
    Gateway.await(server.close());
  }
}
