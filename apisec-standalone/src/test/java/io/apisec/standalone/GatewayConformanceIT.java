package io.apisec.standalone;

import io.apisec.ApiSecurity;
import io.apisec.Claims;
import io.apisec.Identity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The adapter conformance kit against the whole gateway: the kit's pipeline runs in the gateway,
 * and its application sits behind the proxy as a real upstream that rebuilds the identity from the
 * identity headers the gateway passes on.
 */
class GatewayConformanceIT extends AdapterConformanceKit {
  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    Path dir = Files.createTempDirectory("apisec-conformance-");
    DevPki.writePem(dir.resolve("server.pem"), tls.server().fullChain()[0]);
    DevPki.writeKey(dir.resolve("server-key.pem"), new KeyPair(null, tls.server().key()));
    DevPki.writePem(dir.resolve("client-ca.pem"), tls.clientCa());

    Vertx vertx = Vertx.vertx();
    HttpServer upstream = Gateway.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(request -> request.body().onSuccess(body -> {
          String principal = request.getHeader("X-Auth-Principal");
          String clientIp = request.getHeader("X-Client-IP");
          Identity identity = new Identity(Optional.empty(),
              principal == null ? Optional.empty() : Optional.of(new Claims(Map.of("sub", principal))),
              clientIp == null ? "" : clientIp);
          EchoApplication.Reply reply = app.handle(request.method().name(), request.path(),
              request.getHeader("X-Request-ID"), identity, body.getBytes());
          request.response().setStatusCode(reply.status());
          reply.headers().forEach(request.response()::putHeader);
          request.response().end(Buffer.buffer(reply.body()));
        }))
        .listen(0));

    Map<String, String> identityHeaders = new java.util.LinkedHashMap<>(GatewayConfig.DEFAULT_IDENTITY_HEADERS);
    identityHeaders.put("principal", "X-Auth-Principal");
    GatewayConfig config = new GatewayConfig(
        new GatewayConfig.Https("127.0.0.1", 0, dir.resolve("server.pem"), dir.resolve("server-key.pem"),
            dir.resolve("client-ca.pem"), GatewayConfig.ClientAuth.OPTIONAL, List.of("TLSv1.3", "TLSv1.2")),
        null,
        new GatewayConfig.Upstream(URI.create("http://127.0.0.1:" + upstream.actualPort()),
            Duration.ofSeconds(5), Duration.ofSeconds(30), 16, false),
        identityHeaders,
        new GatewayConfig.Admin("127.0.0.1", 0),
        // the codec's header limit of the other Vert.x servers under the kit (8 KB), so that its
        // oversized-header case reaches the codec's refusal as it does there
        new GatewayConfig.Connections(1000, Duration.ofSeconds(10), Duration.ofSeconds(60), 8 * 1024),
        Duration.ofSeconds(5),
        false);
    Gateway gateway = Gateway.start(security, config, new Metrics());
    return new RunningServer(gateway.httpsPort(), () -> {
      gateway.close();
      Gateway.await(vertx.close());
    });
  }
}
