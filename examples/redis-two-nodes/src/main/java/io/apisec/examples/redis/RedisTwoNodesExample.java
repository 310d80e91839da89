package io.apisec.examples.redis;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.vertx.ApiSecurityHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Two apisec nodes (two Vert.x servers on two loopback ports, standing for two machines behind a
 * balancer) that share their rate limits through one Redis: {@code store: {type: redis}}.
 */
public final class RedisTwoNodesExample {
  private RedisTwoNodesExample() {}

  /** One node: its own pipeline, its own server on {@code 127.0.0.1:port} (0 for a free port). */
  public static Future<HttpServer> startNode(Vertx vertx, String name, ApiSecurity security, int port) {
    Router router = Router.router(vertx);
    router.route().handler(ApiSecurityHandler.create(security));
    router.get("/hello").handler(context -> context.json(new JsonObject().put("node", name)));
    return vertx.createHttpServer()
        .invalidRequestHandler(ApiSecurityHandler.invalidRequestHandler(security))
        .requestHandler(router)
        .listen(port, "127.0.0.1");
  }

  /** The bundled {@code apisec.yaml} with the Redis at {@code redisUri}. */
  static ApiSecurity nodeSecurity(String redisUri) throws IOException {
    try (InputStream in = RedisTwoNodesExample.class.getResourceAsStream("/apisec.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("redis://127.0.0.1:6379", redisUri);
      return ApiSecurity.of(ConfigLoader.parseYaml(yaml, null));
    }
  }

  public static void main(String[] args) throws Exception {
    String redisUri = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
    Vertx vertx = Vertx.vertx();
    // in production each node is its own process on its own machine; here two in one JVM
    ApiSecurity one = nodeSecurity(redisUri);
    ApiSecurity two = nodeSecurity(redisUri);
    int portOne = startNode(vertx, "one", one, 8081).toCompletionStage().toCompletableFuture().get().actualPort();
    int portTwo = startNode(vertx, "two", two, 8082).toCompletionStage().toCompletableFuture().get().actualPort();
    System.out.println("apisec nodes on http://127.0.0.1:" + portOne + " and http://127.0.0.1:" + portTwo
        + ", sharing limits in " + redisUri);
    System.out.println("  for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' http://127.0.0.1:" + portOne
        + "/hello; curl -s -o /dev/null -w '%{http_code} ' http://127.0.0.1:" + portTwo + "/hello; done; echo");
    System.out.println("  # 200 200 200 200 200 429: five per minute, whichever node answers");
  }
}
