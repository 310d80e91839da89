package io.apisec.examples.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.redis.RedisServerProcess;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two nodes of the example against a real redis-server share one limit of 5 requests. */
class RedisTwoNodesExampleIT {
  static final int CAPACITY = 5;
  static RedisServerProcess redis;
  static Vertx vertx;
  static ApiSecurity one;
  static ApiSecurity two;
  static List<String> nodes = new ArrayList<>();
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    one = RedisTwoNodesExample.nodeSecurity(redis.uri());
    two = RedisTwoNodesExample.nodeSecurity(redis.uri());
    nodes.add("http://127.0.0.1:" + RedisTwoNodesExample.startNode(vertx, "one", one, 0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort());
    nodes.add("http://127.0.0.1:" + RedisTwoNodesExample.startNode(vertx, "two", two, 0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    one.close();
    two.close();
    redis.close();
  }

  private HttpResponse<String> hello(int node) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + "/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void capacityIsSharedSoTheNextRequestIs429WhicheverNodeGetsIt() throws Exception {
    int allowed = 0;
    int[] allowedPerNode = new int[2];
    HttpResponse<String> refused = null;
    int request = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (refused == null) {
      assertThat(System.nanoTime()).as("a 429 within 15 s").isLessThan(deadline);
      int node = request++ % 2; // alternate, as a round-robin balancer would
      HttpResponse<String> response = hello(node);
      switch (response.statusCode()) {
        case 200 -> {
          allowed++;
          allowedPerNode[node]++;
          assertThat(response.body()).contains(node == 0 ? "\"one\"" : "\"two\"");
        }
        case 429 -> refused = response;
        // a node still connecting to Redis answers 503 (failing closed) and spends no token
        case 503 -> { }
        default -> throw new AssertionError("unexpected " + response.statusCode() + ": " + response.body());
      }
    }
    // alone, each node would have allowed 5: together they allowed 5
    assertThat(allowed).isEqualTo(CAPACITY);
    assertThat(allowedPerNode[0]).isPositive();
    assertThat(allowedPerNode[1]).isPositive();
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    // and the other node refuses too
    assertThat(hello(0).statusCode()).isEqualTo(429);
    assertThat(hello(1).statusCode()).isEqualTo(429);
  }
}
