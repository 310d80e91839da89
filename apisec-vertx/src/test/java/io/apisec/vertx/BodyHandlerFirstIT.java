package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.TestStages;
import io.apisec.config.ApiSecurityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Router whose BodyHandler runs before ours: stages read the body it already received. */
class BodyHandlerFirstIT {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Vertx vertx;
  private int port;

  @BeforeEach
  void start() throws Exception {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .route(Route.builder("POST /upload").auth(AuthMode.NONE).maxBody(16).build())
        .build();
    ApiSecurity security = TestStages.append(ApiSecurity.builder(config).auditToSystemLogger(false), "reads-body",
        chain -> chain.request().body(16).handle((body, failure) -> failure == null ? chain.proceed()
            : CompletableFuture.<Decision>completedFuture(Decision.deny(DenyReason.PAYLOAD_TOO_LARGE,
                String.valueOf(((CompletionException) failure).getCause() instanceof BodyTooLargeException))))
            .thenCompose(next -> next)).build();
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
  }

  @Test
  void bodyOverTheLimitFailsTheStageReadWithBodyTooLarge() throws Exception {
    HttpResponse<String> response = post("a body longer than sixteen bytes");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("\"detail\":\"true\"");
  }

  @Test
  void bodyReadEarlierOnAnUpgradedHttp2StreamReachesTheApplication() throws Exception {
    HttpResponse<String> response = post("small body", HttpClient.Version.HTTP_2);

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("got small body");
  }
}
