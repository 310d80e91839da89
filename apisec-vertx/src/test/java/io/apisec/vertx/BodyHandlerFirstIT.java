package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Router whose BodyHandler runs before ours: stages read the body it already received. */
class BodyHandlerFirstIT {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Vertx vertx;
  private int port;
  private final java.util.concurrent.atomic.AtomicReference<String> seenByStage = new java.util.concurrent.atomic.AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("POST /upload").auth(AuthMode.NONE).maxBody(16).build())
        .build();
    // the payload stage enforces the route's max-body through the view's body; this stage records what it read
    ApiSecurity security = ApiSecurity.builder(config).auditToSystemLogger(false).stage(
        chain -> chain.request().body(16).thenCompose(body -> {
          seenByStage.set(new String(body, java.nio.charset.StandardCharsets.UTF_8));
          return chain.proceed();
        })).build();
    vertx = VertxTesting.vertx();
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create());
    router.route().handler(ApiSecurityHandler.create(security));
    router.route().handler(context -> context.response().end(Buffer.buffer("got " + context.body().asString())));
    port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return post(body, HttpClient.Version.HTTP_1_1);
  }

  private HttpResponse<String> post(String body, HttpClient.Version version) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload")).version(version)
        .timeout(java.time.Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void bodyWithinTheLimitIsReadByTheStageAndReachesTheApplication() throws Exception {
    HttpResponse<String> response = post("small body");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("got small body");
    assertThat(seenByStage.get()).isEqualTo("small body");
  }

  @Test
  void bodyOverTheLimitIsRefusedWith413() throws Exception {
    HttpResponse<String> response = post("a body longer than sixteen bytes");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("urn:apisec:problem:payload-too-large");
    assertThat(seenByStage.get()).isNull();
  }

  @Test
  void bodyReadEarlierOnAnUpgradedHttp2StreamReachesTheApplication() throws Exception {
    HttpResponse<String> response = post("small body", HttpClient.Version.HTTP_2);

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("got small body");
  }
}
