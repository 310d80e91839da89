package io.apisec.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.apisec.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstream behind the gateway in tests (the JDK's HTTP server on loopback): {@code /slow}
 * holds its answer until released, {@code /hop} answers with hop-by-hop and banner headers, every
 * other path echoes the request's headers and body as JSON.
 */
final class TestUpstream implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private volatile CountDownLatch slowGate = new CountDownLatch(1);
  final AtomicInteger slowArrivals = new AtomicInteger();
  final AtomicInteger calls = new AtomicInteger();

  TestUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Lets every held {@code /slow} request answer, and holds the next ones again. */
  void releaseSlow() {
    CountDownLatch gate = slowGate;
    slowGate = new CountDownLatch(1);
    gate.countDown();
  }

  private void handle(HttpExchange exchange) throws IOException {
    calls.incrementAndGet();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    String path = exchange.getRequestURI().getPath();
    if (path.startsWith("/slow")) {
      CountDownLatch gate = slowGate;
      slowArrivals.incrementAndGet();
      try {
        gate.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (path.startsWith("/hop")) {
      exchange.getResponseHeaders().add("Connection", "X-Upstream-Secret");
      exchange.getResponseHeaders().add("X-Upstream-Secret", "internal");
      exchange.getResponseHeaders().add("Keep-Alive", "timeout=5");
      exchange.getResponseHeaders().add("Server", "upstream/1.2.3");
      exchange.getResponseHeaders().add("X-Powered-By", "framework/9");
      exchange.getResponseHeaders().add("X-Content-Type-Options", "upstream-value");
    }
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
      headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), String.join(", ", h.getValue()));
    }
    Map<String, Object> echo = new TreeMap<>();
    echo.put("method", exchange.getRequestMethod());
    echo.put("uri", exchange.getRequestURI().toString());
    echo.put("headers", headers);
    echo.put("body", new String(body, StandardCharsets.UTF_8));
    byte[] out = Json.write(echo).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, out.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    slowGate.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
