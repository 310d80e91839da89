package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.redis.RedisServerProcess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking proof against a real, hung Redis: while the rate limiter waits on a Redis frozen
 * with SIGSTOP, other requests on the same single event loop keep being served, the waiting
 * request gets its answer by the configured timeout, and Vert.x never reports a blocked thread.
 */
class SlowRedisIT {
  private final RedisServerProcess redis = RedisServerProcess.start();
  private final Vertx vertx = VertxTesting.vertx();
  private ApiSecurity security;

  @AfterEach
  void stop() throws Exception {
    signal("CONT");
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (security != null) {
      security.close();
    }
    redis.close();
  }

  @Test
  void aHungRedisHoldsOnlyTheRequestsThatNeedIt() throws Exception {
    security = ApiSecurity.builder(ConfigLoader.parseYaml(String.join("\n",
            "rate-limits:",
            "  per-ip: { key: ip, limits: [ { capacity: 1000, refill: 1000/1m } ] }",
            "store: { type: redis, uri: '" + redis.uri() + "', timeout: 3s, on-failure: closed }",
            "routes:",
            "  - { match: GET /limited, auth: none, rate-limit: per-ip }",
            "  - { match: GET /public, auth: none }"), Path.of(".")))
        .auditToSystemLogger(false).build();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(ApiSecurityHandler.wrap(security, request -> request.response().end("ok")));
    int port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    // the store connects in the background; wait until it reports ready before relying on it
    io.apisec.testing.TestIssuer.await(() -> security.health().ready(), "the Redis store is connected");
    HttpRequest limited = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/limited")).timeout(Duration.ofSeconds(20)).build();
    assertThat(client.send(limited, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

    signal("STOP");
    CompletableFuture<HttpResponse<String>> held = client.sendAsync(limited, HttpResponse.BodyHandlers.ofString());
    HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> meanwhile = other.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/public")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(meanwhile.statusCode()).isEqualTo(200);
    }
    assertThat(held).as("the request waiting on the hung Redis").isNotDone();

    HttpResponse<String> answer = held.get(15, TimeUnit.SECONDS);
    assertThat(answer.statusCode()).as("fail closed once the Redis timeout passes").isEqualTo(503);
    assertThat(answer.headers().firstValue("Retry-After")).isPresent();
    assertThat(VertxTesting.BLOCKED).isEmpty();
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(redis.pid())).inheritIO().start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
  }
}
