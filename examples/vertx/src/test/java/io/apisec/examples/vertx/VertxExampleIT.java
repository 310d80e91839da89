package io.apisec.examples.vertx;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.ExampleServiceContract;
import io.apisec.testing.LocalIssuer;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Vert.x example with the bundled apisec.yaml. */
class VertxExampleIT extends ExampleServiceContract {
  static LocalIssuer issuer;
  static ApiSecurity security;
  static Vertx vertx;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalIssuer();
    security = ApiSecurity.of(ConfigLoader.parseYaml(issuer.bundledConfig("/apisec.yaml"), null));
    vertx = Vertx.vertx();
    int port = VertxExample.start(vertx, security, 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    security.close();
    issuer.close();
  }

  @Override
  protected String base() {
    return base;
  }

  @Override
  protected LocalIssuer issuer() {
    return issuer;
  }
}
