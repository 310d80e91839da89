package io.apisec.standalone;

import io.apisec.internal.Json;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetClientOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin listener's endpoints: {@code /healthz} (the process serves), {@code /readyz} (not
 * draining, the pipeline's components ready, the upstream reachable) and {@code /metrics}
 * (Prometheus text format). Stateless apart from the gateway it reports on.
 */
final class AdminEndpoints {
  private final Gateway gateway;

  AdminEndpoints(Gateway gateway) {
    this.gateway = gateway;
  }

  void handle(HttpServerRequest request) {
    request.response().putHeader("cache-control", "no-store");
    switch (request.path()) {
      case "/healthz":
        json(request, 200, Map.of("status", "up"));
        break;
      case "/readyz":
        ready(request);
        break;
      case "/metrics":
        request.response()
            .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
            .end(gateway.metrics().scrape() + gauges() + PipelineHealth.metrics(gateway.current().security));
        break;
      default:
        json(request, 404, Map.of("status", 404, "detail", "Not found: try /healthz, /readyz or /metrics"));
    }
  }

  private String gauges() {
    return "# HELP apisec_connections_open Client connections open now.\n"
        + "# TYPE apisec_connections_open gauge\n"
        + "apisec_connections_open " + gateway.openConnections() + '\n'
        + "# HELP apisec_requests_in_flight Requests being decided or proxied now.\n"
        + "# TYPE apisec_requests_in_flight gauge\n"
        + "apisec_requests_in_flight " + gateway.inFlight() + '\n';
  }

  private void ready(HttpServerRequest request) {
    Generation g = gateway.current();
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("draining", gateway.draining());
    boolean ready = !gateway.draining();
    ready &= PipelineHealth.describe(g.security, checks);
    GatewayConfig.Upstream upstream = g.config.upstream();
    boolean pipelineReady = ready;
    upstreamReachable(upstream).onComplete(reachable -> {
      boolean up = reachable.succeeded();
      checks.put("upstream", up ? "reachable" : "unreachable");
      boolean all = pipelineReady && up;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", all ? "ready" : "not-ready");
      body.put("checks", checks);
      json(request, all ? 200 : 503, body);
    });
  }

  private Future<Void> upstreamReachable(GatewayConfig.Upstream upstream) {
    var client = gateway.vertx().createNetClient(new NetClientOptions().setConnectTimeout(1000));
    return client.connect(upstream.port(), upstream.host())
        .compose(socket -> socket.close())
        .eventually(() -> client.close());
  }

  private static void json(HttpServerRequest request, int status, Object body) {
    request.response().setStatusCode(status).putHeader("content-type", "application/json").end(Json.write(body));
  }
}
