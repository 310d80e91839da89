package io.apisec.examples.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The sample upstream the gateway fronts: a tiny Orders service on the JDK's HTTP server that
 * trusts whatever reaches it, because only the gateway can reach it (loopback). It answers with
 * what it received, including the identity headers the gateway set.
 */
public final class OrdersUpstream implements AutoCloseable {
  private final HttpServer server;

  private OrdersUpstream(HttpServer server) {
    this.server = server;
  }

  /** Listens on {@code 127.0.0.1:port} (0 for a free port). */
  public static OrdersUpstream start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    server.createContext("/", OrdersUpstream::answer);
    server.start();
    return new OrdersUpstream(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      String received = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String subject = String.valueOf(exchange.getRequestHeaders().getFirst("X-Auth-Subject"));
      String body = "{\"method\":\"" + exchange.getRequestMethod() + "\",\"path\":\"" + exchange.getRequestURI().getPath()
          + "\",\"subject\":\"" + subject + "\",\"received\":" + (received.isEmpty() ? "null" : received) + "}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 201 : 200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * Starts the upstream on port 9000, writes the gateway configuration and the OpenAPI document to
   * a directory (the first argument, else a temporary one) and prints the command to start the
   * gateway in front of it.
   */
  public static void main(String[] args) throws IOException {
    Path directory = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("apisec-gateway");
    for (String name : new String[] {"gateway.yaml", "orders-api.yaml"}) {
      try (InputStream in = OrdersUpstream.class.getResourceAsStream("/" + name)) {
        Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    OrdersUpstream upstream = start(9000);
    System.out.println("Orders upstream listening on http://127.0.0.1:" + upstream.port());
    System.out.println("Point jwt.issuers[0] in " + directory.resolve("gateway.yaml") + " at your identity provider, then:");
    Path certs = directory.resolve("certs");
    System.out.println("  java -jar apisec-standalone/target/apisec-standalone.jar certs --out " + certs);
    System.out.println("  java -jar apisec-standalone/target/apisec-standalone.jar --config " + directory.resolve("gateway.yaml"));
    System.out.println("  curl -i --cacert " + certs.resolve("ca.pem") + " -H \"Authorization: Bearer $TOKEN\" https://localhost:8443/orders/7");
    System.out.println("  curl -i --cacert " + certs.resolve("ca.pem") + " -H \"Authorization: Bearer $TOKEN\" \\");
    System.out.println("       -H 'Content-Type: application/json' -d '{\"item\":\"book\",\"qty\":2}' https://localhost:8443/orders");
  }
}
