package io.apisec.redis;

import io.apisec.jwt.KeySetSnapshot;
import io.apisec.jwt.KeySetSnapshots;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Key-set snapshots in Redis (standalone or cluster), shared by every node: the snapshot of an
 * issuer lives under {@code apisec:jwks:<sha-256 of the issuer>}, so a node starting during an
 * identity provider outage restores the keys any node fetched last.
 *
 * <p>Thread-safe; never blocks. A load issued before the connection is up waits for it (the key
 * source bounds that wait by its fetch timeout); a save while Redis is down fails, which only
 * counts as a snapshot failure in the issuer's health. Whoever can write these keys can plant
 * verification keys: protect them with a Redis ACL, as the rate-limit keys.
 */
public final class RedisKeySetSnapshots implements KeySetSnapshots, AutoCloseable {
  private final RedisSettings settings;
  private final RedisConnection connection;
  private final CompletableFuture<Void> connected = new CompletableFuture<>();

  private RedisKeySetSnapshots(RedisSettings settings) {
    this.settings = settings;
    this.connection = new RedisConnection(settings, c -> connected.complete(null), failure -> { });
    connection.connectInBackground();
  }

  /** Snapshots in the Redis {@code settings} describe; connects in the background. */
  public static RedisKeySetSnapshots create(RedisSettings settings) {
    return new RedisKeySetSnapshots(Objects.requireNonNull(settings, "settings"));
  }

  @Override
  public CompletionStage<Optional<KeySetSnapshot>> load(String issuer) {
    String key = key(Objects.requireNonNull(issuer, "issuer"));
    return commands().thenCompose(commands -> commands.get(key).toCompletableFuture())
        .orTimeout(waitLimit().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(value -> {
          if (value == null) {
            return Optional.<KeySetSnapshot>empty();
          }
          KeySetSnapshot snapshot;
          try {
            snapshot = KeySetSnapshot.fromJson(value);
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the snapshot in Redis is unusable: " + e.getMessage());
          }
          if (!snapshot.issuer().equals(issuer)) {
            throw new IllegalStateException("the snapshot in Redis belongs to another issuer");
          }
          return Optional.of(snapshot);
        });
  }

  @Override
  public CompletionStage<Void> save(KeySetSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands == null) {
      connection.connectInBackground();
      return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
    }
    return commands.set(key(snapshot.issuer()), snapshot.toJson()).toCompletableFuture()
        .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ok -> null);
  }

  private CompletableFuture<RedisClusterAsyncCommands<String, byte[]>> commands() {
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands != null) {
      return CompletableFuture.completedFuture(commands);
    }
    connection.connectInBackground();
    return connected.thenApply(ignored -> connection.commands());
  }

  /** A first connection may take up to five command timeouts (as {@link RedisConnection} allows). */
  private Duration waitLimit() {
    Duration connect = settings.timeout().multipliedBy(5);
    return connect.compareTo(Duration.ofMillis(500)) < 0 ? Duration.ofMillis(500) : connect;
  }

  private String key(String issuer) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(issuer.getBytes(StandardCharsets.UTF_8));
      return settings.keyPrefix() + ":jwks:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisKeySetSnapshots[" + settings + ']';
  }
}
