package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** The conformance kit against the Router handler, mounted globally before a BodyHandler. */
class VertxRouterConformanceIT extends AdapterConformanceKit {
  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    Vertx vertx = VertxTesting.vertx();
    Router router = Router.router(vertx);
    router.route().handler(ApiSecurityHandler.create(security));
    router.route().handler(BodyHandler.create().setBodyLimit(1 << 20));
    router.route().handler(context -> {
      RequestBody body = context.body();
      assertThat(context.user()).isNotNull();
      VertxTesting.reply(context.request(), app.handle(context.request().method().name(), context.request().path(),
          context.request().getHeader("X-Request-ID"), ApiSecurityHandler.identity(context).orElse(null),
          body.buffer() == null ? new byte[0] : body.buffer().getBytes()));
    });
    return VertxTesting.listen(vertx, vertx.createHttpServer(VertxTesting.https(tls))
        .invalidRequestHandler(ApiSecurityHandler.invalidRequestHandler(security))
        .requestHandler(router));
  }

  @Override
  protected void assertEventLoopNeverBlocked() {
    assertThat(VertxTesting.BLOCKED).isEmpty();
  }
}
