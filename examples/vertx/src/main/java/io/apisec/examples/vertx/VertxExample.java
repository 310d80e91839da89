package io.apisec.examples.vertx;

import io.apisec.ApiSecurity;
import io.apisec.Identity;
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

/** A Vert.x Router service with the apisec handler mounted in front of every route. */
public final class VertxExample {
  private VertxExample() {}

  /** Listens on {@code 127.0.0.1:port} (0 for a free port). */
  public static Future<HttpServer> start(Vertx vertx, ApiSecurity security, int port) {
    Router router = Router.router(vertx);
    router.route().handler(ApiSecurityHandler.create(security)); // first: nothing runs for a denied request
    router.get("/hello").handler(context -> context.json(new JsonObject().put("greeting", "hello")));
    router.get("/me").handler(context -> {
      Identity identity = ApiSecurityHandler.identity(context).orElseThrow();
      context.json(new JsonObject().put("subject", identity.principalName().orElse("")));
    });
    return vertx.createHttpServer()
        // requests the HTTP codec cannot parse get the same problem document as denials
        .invalidRequestHandler(ApiSecurityHandler.invalidRequestHandler(security))
        .requestHandler(router)
        .listen(port, "127.0.0.1");
  }

  /** The bundled {@code apisec.yaml}. */
  static ApiSecurity bundledSecurity() throws IOException {
    try (InputStream in = VertxExample.class.getResourceAsStream("/apisec.yaml")) {
      return ApiSecurity.of(ConfigLoader.parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), null));
    }
  }

  public static void main(String[] args) throws Exception {
    ApiSecurity security = args.length > 0 ? ApiSecurity.fromFile(java.nio.file.Path.of(args[0])) : bundledSecurity();
    Vertx vertx = Vertx.vertx();
    start(vertx, security, 8080).onSuccess(server -> {
      String base = "http://127.0.0.1:" + server.actualPort();
      System.out.println("apisec Vert.x example listening on " + base);
      System.out.println("  curl -i " + base + "/hello");
      System.out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/me"
          + "    # a token of the issuer in apisec.yaml, with scope greetings:read");
    }).onFailure(failure -> {
      failure.printStackTrace();
      vertx.close();
    });
  }
}
