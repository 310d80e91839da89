package io.apisec.standalone;

import io.apisec.ApiSecurity;
import io.apisec.internal.TrustedProxies;
import io.apisec.vertx.ApiSecurityHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One loaded configuration in service: its {@link ApiSecurity}, the upstream client and proxy, and
 * the header rewriting. A reload builds a new generation and retires the old one, which is closed
 * once its last request in flight has finished. Thread-safe.
 */
final class Generation {
  private static final String FORWARD = "apisec.forward";

  final ApiSecurity security;
  final GatewayConfig config;
  final Forwarding forwarding;
  final TlsMaterial tls;
  private final HttpClient client;
  private final HttpProxy proxy;
  private final Metrics metrics;
  // keyed by the response, which the adapter's wrapper of an allowed request shares with the original
  private final Map<HttpServerResponse, Forward> pending = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean retired;
  private final AtomicInteger closed = new AtomicInteger();

  /** The adapter's handler: runs the pipeline, answers denials, hands allowed requests on. */
  final Handler<HttpServerRequest> handler;
  /** Answers requests the HTTP codec could not parse, in the core's shape. */
  final Handler<HttpServerRequest> invalidRequestHandler;

  /** What one allowed request carries to the proxy's interceptor. */
  record Forward(String requestId, long startNanos) {}

  Generation(Vertx vertx, ApiSecurity security, GatewayConfig config, TlsMaterial tls, Metrics metrics,
      BiConsumer<Generation, HttpServerRequest> allowed) {
    this.handler = ApiSecurityHandler.wrap(security, request -> allowed.accept(this, request));
    this.invalidRequestHandler = ApiSecurityHandler.invalidRequestHandler(security);
    this.security = security;
    this.config = config;
    this.tls = tls;
    this.metrics = metrics;
    this.forwarding = new Forwarding(config.identityHeaders(), new TrustedProxies(security.config().trustedProxies()));
    GatewayConfig.Upstream upstream = config.upstream();
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setKeepAliveTimeout(60)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, upstream.connectTimeout().toMillis()))
        .setDecompressionSupported(false)
        .setSsl(upstream.tls())
        .setVerifyHost(true);
    if (upstream.http2()) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    this.client = vertx.createHttpClient(options, new PoolOptions()
        .setHttp1MaxSize(upstream.poolSize())
        .setHttp2MaxSize(Math.max(1, upstream.poolSize() / 16)));
    SocketAddress origin = SocketAddress.inetSocketAddress(upstream.port(), upstream.host());
    long connectMs = upstream.connectTimeout().toMillis();
    long timeoutMs = upstream.timeout().toMillis();
    this.proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
        .origin(context -> context.client().request(new RequestOptions()
            .setServer(origin)
            .setHost(upstream.host())
            .setPort(upstream.port())
            .setConnectTimeout(connectMs)
            .setIdleTimeout(timeoutMs)))
        .addInterceptor(new Interceptor(upstream.pathPrefix()));
  }

  /** Counts a request in. */
  void enter() {
    inFlight.incrementAndGet();
  }

  /** Counts a request out, once its response has ended or its connection closed. */
  void exit(HttpServerRequest request) {
    pending.remove(request.response());
    if (inFlight.decrementAndGet() == 0 && retired) {
      close();
    }
  }

  /** Stops taking requests; closes once the last one in flight has finished. */
  void retire() {
    retired = true;
    if (inFlight.get() == 0) {
      close();
    }
  }

  void close() {
    if (closed.getAndIncrement() == 0) {
      client.close();
      security.close();
    }
  }

  /** Passes an allowed, prepared request to the upstream (the request is paused). */
  void proxy(HttpServerRequest request, Forward forward, boolean webSocket) {
    if (!webSocket) {
      pending.put(request.response(), forward);
    }
    proxy.handle(request);
  }

  private final class Interceptor implements ProxyInterceptor {
    private final String pathPrefix;

    Interceptor(String pathPrefix) {
      this.pathPrefix = pathPrefix;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      Forward forward = pending.remove(context.request().proxiedRequest().response());
      if (forward == null) {
        forward = new Forward("", System.nanoTime());
      }
      context.set(FORWARD, forward);
      if (!pathPrefix.isEmpty()) {
        context.request().setURI(pathPrefix + context.request().getURI());
      }
      long start = System.nanoTime();
      Forward f = forward;
      return context.sendRequest().map(response -> {
        metrics.upstreamResponse(response.getStatusCode(), System.nanoTime() - start);
        return response;
      }).recover(failure -> {
        boolean timeout = isTimeout(failure);
        metrics.upstreamError(timeout ? "timeout" : "unavailable");
        Log.warn("upstream failed", "requestId", f.requestId(), "kind", timeout ? "timeout" : "unavailable",
            "error", failure.getClass().getSimpleName() + ": " + failure.getMessage());
        byte[] body = timeout
            ? GatewayProblem.json(504, "upstream-timeout", "Upstream timed out",
                "The upstream did not answer in time", f.requestId())
            : GatewayProblem.json(502, "upstream-unavailable", "Upstream unavailable",
                "The upstream could not be reached", f.requestId());
        context.set(CheckedResponse.SYNTHETIC, Boolean.TRUE);
        ProxyResponse response = context.request().release().response()
            .setStatusCode(timeout ? 504 : 502)
            .putHeader("content-type", GatewayProblem.MEDIA_TYPE)
            .putHeader("cache-control", "no-store")
            .setBody(Body.body(Buffer.buffer(body)));
        return Future.succeededFuture(response);
      });
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
      MultiMap headers = context.response().headers();
      Forwarding.prepareResponse(headers);
      // the adapter already set the pipeline's headers (security, rate limit, request id) on the
      // response: they win over the upstream's of the same name
      for (String name : context.request().proxiedRequest().response().headers().names()) {
        headers.remove(name);
      }
      Forward forward = context.get(FORWARD, Forward.class);
      io.apisec.ResponseCheck check = CheckedResponse.checkFor(security, context, forward == null ? "" : forward.requestId());
      return check == null ? context.sendResponse() : CheckedResponse.send(context, check);
    }
  }

  static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t.getClass().getName().equals("io.netty.channel.ConnectTimeoutException")
          || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
