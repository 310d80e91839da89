package io.apisec.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One Lettuce client and its connection (String keys, byte[] values) to a standalone Redis or a
 * Redis Cluster, connected in the background: Redis being down when the application starts is
 * a degraded state, not a start-up failure. Once connected, Lettuce reconnects by itself; while
 * disconnected, commands are refused at once rather than queued, so no caller waits on a dead
 * server. Thread-safe.
 */
final class RedisConnection implements AutoCloseable {
  static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private static final System.Logger LOG = System.getLogger("io.apisec.redis");

  private final RedisSettings settings;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Consumer<StatefulConnection<String, byte[]>> onConnected;
  private final Consumer<Throwable> onFailure;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private volatile StatefulConnection<String, byte[]> connection;
  private volatile boolean closed;

  RedisConnection(RedisSettings settings, Consumer<StatefulConnection<String, byte[]>> onConnected,
      Consumer<Throwable> onFailure) {
    this.settings = settings;
    this.onConnected = onConnected;
    this.onFailure = onFailure;
    Duration timeout = settings.timeout();
    Duration connectTimeout = timeout.multipliedBy(5).compareTo(Duration.ofMillis(500)) < 0
        ? Duration.ofMillis(500) : timeout.multipliedBy(5);
    // reconnect at the heartbeat's pace, not Lettuce's default backoff of up to 30 s
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(1)
        .reconnectDelay(Delay.constant(settings.heartbeat()))
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
    SslOptions ssl = settings.tlsCaFile() == null ? SslOptions.create()
        : SslOptions.builder().jdkSslProvider().trustManager(new java.io.File(settings.tlsCaFile())).build();
    List<RedisURI> uris = settings.uris().stream().map(u -> {
      RedisURI uri = RedisURI.create(u);
      uri.setTimeout(timeout);
      return uri;
    }).toList();
    if (settings.isCluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions(ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .socketOptions(socket)
          .sslOptions(ssl)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enableAllAdaptiveRefreshTriggers()
              .enablePeriodicRefresh(Duration.ofSeconds(30))
              .build())
          .build());
      this.client = cluster;
    } else {
      RedisClient standalone = RedisClient.create(resources, uris.get(0));
      standalone.setOptions(ClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .socketOptions(socket)
          .sslOptions(ssl)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .build());
      this.client = standalone;
    }
  }

  /** Starts connecting unless connected, connecting or closed. */
  void connectInBackground() {
    if (connection != null || closed || !connecting.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<? extends StatefulConnection<String, byte[]>> future;
    try {
      if (client instanceof RedisClusterClient) {
        // connectAsync needs the topology loaded first; loading it asynchronously keeps the caller free
        RedisClusterClient cluster = (RedisClusterClient) client;
        future = cluster.refreshPartitionsAsync().toCompletableFuture().thenCompose(v -> cluster.connectAsync(CODEC));
      } else {
        RedisClient standalone = (RedisClient) client;
        RedisURI uri = RedisURI.create(settings.uris().get(0));
        uri.setTimeout(settings.timeout());
        future = standalone.connectAsync(CODEC, uri).toCompletableFuture();
      }
    } catch (RuntimeException e) {
      connecting.set(false);
      return;
    }
    future.whenComplete((c, failure) -> {
      if (failure != null) {
        LOG.log(System.Logger.Level.DEBUG, "cannot connect to Redis " + settings + ": " + failure, failure);
        onFailure.accept(failure);
      }
      if (failure == null) {
        if (closed) {
          c.closeAsync();
        } else {
          connection = c;
          onConnected.accept(c);
        }
      }
      connecting.set(false);
    });
  }

  /** The asynchronous commands, or null before the first connection. */
  @SuppressWarnings("unchecked")
  RedisClusterAsyncCommands<String, byte[]> commands() {
    StatefulConnection<String, byte[]> c = connection;
    if (c == null) {
      return null;
    }
    if (c instanceof StatefulRedisClusterConnection) {
      return ((StatefulRedisClusterConnection<String, byte[]>) c).async();
    }
    return ((StatefulRedisConnection<String, byte[]>) c).async();
  }

  boolean isConnected() {
    StatefulConnection<String, byte[]> c = connection;
    return c != null && c.isOpen();
  }

  @Override
  public void close() {
    closed = true;
    StatefulConnection<String, byte[]> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(0, 2, TimeUnit.SECONDS);
    resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
