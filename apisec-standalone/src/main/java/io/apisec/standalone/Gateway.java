package io.apisec.standalone;

import io.apisec.ApiSecurity;
import io.apisec.Identity;
import io.apisec.JsonLinesAuditLog;
import io.apisec.vertx.ApiSecurityHandler;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running gateway: TLS and plain listeners, the pipeline in front of a reverse proxy, the admin
 * listener, reloads and graceful shutdown. Requests run on Vert.x event loops and never block
 * them; a reload swaps the whole configuration between two requests. Thread-safe.
 */
final class Gateway implements AutoCloseable {
  private final Vertx vertx;
  private final Path configFile;
  private final Metrics metrics;
  private final SSLEngineOptions engine;
  private final List<HttpServer> httpsServers = new ArrayList<>();
  private final List<HttpServer> httpServers = new ArrayList<>();
  private HttpServer adminServer;
  private TlsSwitch tlsSwitch;
  private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object reloadLock = new Object();
  private volatile Generation current;
  private volatile boolean draining;
  /** Completed when the last request in flight ends while draining. */
  private final java.util.concurrent.CompletableFuture<Void> allDone = new java.util.concurrent.CompletableFuture<>();
  private volatile String fingerprint = "";
  private long watchTimer = -1;

  private Gateway(Vertx vertx, Path configFile, ApiSecurity security, GatewayConfig config, TlsMaterial tls, Metrics metrics) {
    this.vertx = vertx;
    this.configFile = configFile;
    this.metrics = metrics;
    this.engine = TlsMaterial.engine();
    this.current = generation(security, config, tls);
  }

  private Generation generation(ApiSecurity security, GatewayConfig config, TlsMaterial tls) {
    return new Generation(vertx, security, config, tls, metrics, this::allowed);
  }

  /** Loads {@code file} and starts serving it; throws ConfigException or IllegalArgumentException when it is bad. */
  static Gateway start(Path file) {
    Metrics metrics = new Metrics();
    Loaded loaded = load(file, metrics);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops()));
    Gateway gateway = new Gateway(vertx, file, loaded.security, loaded.config, loaded.tls, metrics);
    gateway.fingerprint = fingerprint(file, loaded.config);
    gateway.listen();
    return gateway;
  }

  /** Starts with a ready-made pipeline (tests, the conformance kit); no file to reload. */
  static Gateway start(ApiSecurity security, GatewayConfig config, Metrics metrics) {
    TlsMaterial tls = config.https() == null ? null : TlsMaterial.load(config.https());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops()));
    Gateway gateway = new Gateway(vertx, null, security, config, tls, metrics);
    gateway.listen();
    return gateway;
  }

  private static int eventLoops() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** A configuration file read and built, not yet serving. */
  record Loaded(ApiSecurity security, GatewayConfig config, TlsMaterial tls) {}

  /** Reads and builds everything a configuration file describes; nothing is left open on failure. */
  static Loaded load(Path file, Metrics metrics) {
    ConfigLoader.Loaded loaded = ConfigLoader.load(file, Set.of("gateway"));
    Path base = file.toAbsolutePath().getParent();
    GatewayConfig config = GatewayConfig.read(loaded.sections().get("gateway"), base);
    TlsMaterial tls = config.https() == null ? null : TlsMaterial.load(config.https());
    ApiSecurity security = ApiSecurity.builder(loaded.config())
        .auditToSystemLogger(false)
        .listener(metrics)
        .listener(loaded.config().audit().enabled() ? JsonLinesAuditLog.to(Log::audit) : event -> { })
        .build();
    return new Loaded(security, config, tls);
  }

  // ---- listening

  private void listen() {
    Generation g = current;
    GatewayConfig config = g.config;
    try {
      if (config.https() != null) {
        tlsSwitch = new TlsSwitch(g.tls);
        HttpServerOptions options = baseOptions(config)
            .setSsl(true)
            .setSslEngineOptions(engine)
            .setClientAuth(g.tls.clientAuth())
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setKeyCertOptions(KeyCertOptions.wrap(tlsSwitch.keyManager))
            .setTrustOptions(TrustOptions.wrap(tlsSwitch.trustManager))
            .setEnabledSecureTransportProtocols(Set.copyOf(config.https().protocols()))
            .setHost(config.https().host());
        TlsMaterial.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
        bind(options, config.https().port(), -1, httpsServers);
        Log.info("https listening", "host", config.https().host(), "port", httpsPort(),
            "tlsEngine", TlsMaterial.engineName(engine), "protocols", config.https().protocols(),
            "clientAuth", config.https().clientAuth().name().toLowerCase(Locale.ROOT), "alpn", List.of("h2", "http/1.1"));
      }
      if (config.http() != null) {
        // no h2c: its upgrade handler holds a connection back until a whole request has arrived,
        // which would hide a slow client from the header timeout
        HttpServerOptions options = baseOptions(config).setHost(config.http().host()).setHttp2ClearTextEnabled(false);
        bind(options, config.http().port(), -2, httpServers);
        Log.info("http listening", "host", config.http().host(), "port", httpPort());
      }
      adminServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.admin().host()).setIdleTimeout(30))
          .requestHandler(new AdminEndpoints(this)::handle);
      await(adminServer.listen(config.admin().port()));
      Log.info("admin listening", "host", config.admin().host(), "port", adminPort());
      Log.info("upstream", "url", config.upstream().uri().toString(), "poolSize", config.upstream().poolSize(),
          "connectTimeout", config.upstream().connectTimeout().toString(), "timeout", config.upstream().timeout().toString());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (configFile != null && config.watchConfig()) {
      watchTimer = vertx.setPeriodic(1000, id -> vertx.executeBlocking(() -> {
        String now = fingerprint(configFile, current.config);
        if (!now.equals(fingerprint)) {
          reload("file-change");
        }
        return null;
      }, false));
    }
  }

  private HttpServerOptions baseOptions(GatewayConfig config) {
    GatewayConfig.Connections limits = config.connections();
    return new HttpServerOptions()
        .setIdleTimeout((int) Math.max(1, limits.idleTimeout().toSeconds()))
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setMaxInitialLineLength(8192)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setTcpNoDelay(true);
  }

  /** One server per event loop, sharing the port, so every loop accepts and serves. */
  private void bind(HttpServerOptions options, int port, int randomSharedPort, List<HttpServer> servers) {
    // Vert.x shares one random port among the instances that ask for the same negative port
    int shared = port == 0 ? randomSharedPort : port;
    for (int i = 0; i < eventLoops(); i++) {
      Context context = vertx.getOrCreateContext();
      Promise<HttpServer> bound = Promise.promise();
      context.runOnContext(v -> {
        HttpServer server = vertx.createHttpServer(options)
            .connectionHandler(this::connectionOpened)
            .requestHandler(this::handle)
            .invalidRequestHandler(this::invalidRequest);
        server.listen(shared).onComplete(bound);
      });
      servers.add(await(bound.future()));
    }
  }

  int httpsPort() {
    return httpsServers.isEmpty() ? -1 : httpsServers.get(0).actualPort();
  }

  int httpPort() {
    return httpServers.isEmpty() ? -1 : httpServers.get(0).actualPort();
  }

  int adminPort() {
    return adminServer == null ? -1 : adminServer.actualPort();
  }

  Metrics metrics() {
    return metrics;
  }

  Generation current() {
    return current;
  }

  boolean draining() {
    return draining;
  }

  Vertx vertx() {
    return vertx;
  }

  // ---- connections: limits and slow-client protection

  /** Per-connection state, touched only on the connection's event loop. */
  private final class Connection {
    final HttpConnection connection;
    final Context context;
    int requests;
    long timer = -1;
    boolean upgraded;
    boolean http2;

    Connection(HttpConnection connection, Context context) {
      this.connection = connection;
      this.context = context;
    }

    void arm(Duration timeout, String reason) {
      disarm();
      timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
        timer = -1;
        if (requests == 0 && !upgraded) {
          metrics.connectionRefused(reason);
          connection.close();
        }
      });
    }

    void disarm() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private void connectionOpened(HttpConnection connection) {
    GatewayConfig.Connections limits = current.config.connections();
    int open = openConnections.incrementAndGet();
    Connection state = new Connection(connection, vertx.getOrCreateContext());
    connections.put(connection, state);
    connection.closeHandler(v -> {
      state.disarm();
      connections.remove(connection);
      openConnections.decrementAndGet();
    });
    if (draining) {
      connection.close();
      return;
    }
    if (open > limits.maxConnections()) {
      metrics.connectionRefused("max-connections");
      connection.close();
      return;
    }
    // a client must send its first request's headers within the header timeout (slowloris)
    state.arm(limits.headerTimeout(), "header-timeout");
  }

  private void requestStarted(HttpServerRequest request) {
    Connection state = connections.get(request.connection());
    if (state != null) {
      state.requests++;
      state.http2 = request.version() == HttpVersion.HTTP_2;
      state.disarm();
    }
  }

  private void requestFinished(HttpServerRequest request) {
    Connection state = connections.get(request.connection());
    if (state != null) {
      state.requests--;
      if (state.requests == 0) {
        if (draining && request.version() != HttpVersion.HTTP_2) {
          state.connection.close();
        } else {
          // between requests a keep-alive connection may idle, then it must make way
          state.arm(current.config.connections().idleTimeout(), "keep-alive-timeout");
        }
      }
    }
  }

  private void invalidRequest(HttpServerRequest request) {
    // the codec could not parse it: the adapter answers with the core's problem document
    current.invalidRequestHandler.handle(request);
  }

  // ---- requests

  private void handle(HttpServerRequest request) {
    request.pause();
    requestStarted(request);
    Generation g = current;
    g.enter();
    inFlight.incrementAndGet();
    AtomicInteger once = new AtomicInteger();
    Runnable finished = () -> {
      if (once.getAndIncrement() == 0) {
        if (inFlight.decrementAndGet() == 0 && draining) {
          allDone.complete(null);
        }
        g.exit(request);
        requestFinished(request);
      }
    };
    HttpServerResponse response = request.response();
    response.closeHandler(v -> finished.run());
    response.endHandler(v -> finished.run());
    if (draining && request.version() != HttpVersion.HTTP_2) {
      response.putHeader("connection", "close");
    }
    // the project's own Vert.x adapter runs the pipeline, answers denials, and hands on the rest
    g.handler.handle(request);
  }

  /** What the adapter hands on: an allowed request, its body (if a stage read it) replayed. */
  void allowed(Generation g, HttpServerRequest request) {
    Identity identity = ApiSecurityHandler.identity(request).orElse(Identity.ANONYMOUS);
    boolean webSocket = isWebSocketUpgrade(request);
    if (webSocket) {
      Connection state = connections.get(request.connection());
      if (state != null) {
        state.upgraded = true;
      }
    }
    g.forwarding.prepareRequest(request, identity, webSocket);
    String requestId = request.getHeader("x-request-id");
    g.proxy(request, new Generation.Forward(requestId == null ? "" : requestId, System.nanoTime()), webSocket);
  }

  private static boolean isWebSocketUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader("upgrade");
    return request.version() != HttpVersion.HTTP_2 && upgrade != null && upgrade.equalsIgnoreCase("websocket")
        && request.method().name().equals("GET");
  }

  // ---- reload

  /** Reloads the configuration file; an invalid one is refused and the current one keeps serving. */
  boolean reload(String trigger) {
    if (configFile == null) {
      return false;
    }
    synchronized (reloadLock) {
      if (draining) {
        return false;
      }
      Generation old = current;
      String seen = fingerprint(configFile, old.config);
      Loaded loaded;
      try {
        loaded = load(configFile, metrics);
      } catch (ConfigException e) {
        fingerprint = seen;
        metrics.reload("refused");
        Log.error("configuration refused; the previous one keeps serving", "trigger", trigger,
            "file", configFile.toString(), "key", e.key(), "line", e.line(), "error", e.getMessage());
        return false;
      } catch (RuntimeException e) {
        fingerprint = seen;
        metrics.reload("refused");
        Log.error("configuration refused; the previous one keeps serving", "trigger", trigger,
            "file", configFile.toString(), "error", e.getMessage());
        return false;
      }
      GatewayConfig next = loaded.config();
      if (!sameListeners(old.config, next)) {
        Log.warn("listener addresses changed; they apply at the next restart", "trigger", trigger);
      }
      if (loaded.tls() != null && tlsSwitch != null) {
        if (loaded.tls().settings().clientAuth() != old.config.https().clientAuth()) {
          Log.warn("client-auth changed; it applies at the next restart", "trigger", trigger);
        }
        tlsSwitch.update(loaded.tls()); // the next handshake presents the new certificate
      }
      current = generation(loaded.security(), next, loaded.tls());
      fingerprint = fingerprint(configFile, next);
      old.retire();
      metrics.reload("applied");
      Log.info("configuration reloaded", "trigger", trigger, "file", configFile.toString());
      return true;
    }
  }

  private static boolean sameListeners(GatewayConfig a, GatewayConfig b) {
    return java.util.Objects.equals(a.https() == null ? null : a.https().host() + ":" + a.https().port(),
        b.https() == null ? null : b.https().host() + ":" + b.https().port())
        && java.util.Objects.equals(a.http(), b.http()) && a.admin().equals(b.admin());
  }

  /** A digest of the configuration file and the TLS files it names, so that either change reloads. */
  static String fingerprint(Path file, GatewayConfig config) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(read(file));
      if (config != null && config.https() != null) {
        digest.update(read(config.https().certificate()));
        digest.update(read(config.https().privateKey()));
        if (config.https().clientCa() != null) {
          digest.update(read(config.https().clientCa()));
        }
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  // ---- shutdown

  /**
   * Stops accepting, lets requests in flight finish (up to {@code deadline}), then closes
   * everything. Returns whether every request finished in time.
   */
  boolean drainAndStop(Duration deadline) {
    draining = true;
    Log.info("draining", "inFlight", inFlight.get(), "deadline", deadline.toString());
    for (Connection state : connections.values()) {
      state.context.runOnContext(v -> {
        if (state.requests == 0 && !state.upgraded) {
          state.connection.close();
        } else if (state.http2) {
          state.connection.shutdown(deadline.toMillis(), TimeUnit.MILLISECONDS);
        }
      });
    }
    if (inFlight.get() == 0) {
      allDone.complete(null);
    }
    try {
      allDone.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // the deadline passed with requests still in flight: they are cut below
    }
    boolean drained = inFlight.get() == 0;
    Log.info(drained ? "drained" : "drain deadline passed", "inFlight", inFlight.get());
    close();
    return drained;
  }

  int inFlight() {
    return inFlight.get();
  }

  int openConnections() {
    return openConnections.get();
  }

  @Override
  public void close() {
    if (watchTimer >= 0) {
      vertx.cancelTimer(watchTimer);
    }
    try {
      await(vertx.close());
    } catch (RuntimeException ignored) {
      // closing is best effort
    }
    current.close();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause.getMessage(), cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out", e);
    }
  }
}
