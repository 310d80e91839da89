package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.vertx.core.Vertx;

/** The conformance kit against a plain HttpServer whose request handler is wrapped. */
class VertxServerConformanceIT extends AdapterConformanceKit {
  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    Vertx vertx = VertxTesting.vertx();
    return VertxTesting.listen(vertx, vertx.createHttpServer(VertxTesting.https(tls))
        .invalidRequestHandler(ApiSecurityHandler.invalidRequestHandler(security))
        .requestHandler(ApiSecurityHandler.wrap(security, request -> request.body().onSuccess(body ->
            VertxTesting.reply(request, app.handle(request.method().name(), request.path(),
                request.getHeader("X-Request-ID"), ApiSecurityHandler.identity(request).orElse(null),
                body.getBytes()))))));
  }

  @Override
  protected void assertEventLoopNeverBlocked() {
    assertThat(VertxTesting.BLOCKED).isEmpty();
  }
}
