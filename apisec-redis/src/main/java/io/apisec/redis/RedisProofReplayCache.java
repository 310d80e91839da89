package io.apisec.redis;

import io.apisec.dpop.ProofReplayCache;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The DPoP proof ids seen by any node, in Redis (standalone or cluster): one {@code SET key 1 NX
 * PX ttl} per proof, so that of two nodes receiving the same proof exactly one accepts it. The
 * key is {@code <prefix>:dpop:{<id>}} — the id is already a base64url SHA-256 (of the proof key's
 * thumbprint and the {@code jti}), so Redis never holds client text, and the hash tag spreads the
 * keys over a cluster's slots by that hash.
 *
 * <p>Thread-safe; never blocks. It fails closed whatever the store's {@code on-failure}: while Redis
 * is unreachable or slower than the timeout, the answer completes exceptionally and the pipeline
 * refuses the request with 503 — accepting a proof that cannot be checked for replay would make
 * the replay check optional for an attacker who can slow Redis down.
 */
public final class RedisProofReplayCache implements ProofReplayCache {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final byte[] SEEN = {'1'};

  private final RedisSettings settings;
  private final Clock clock;
  private final RedisConnection connection;

  private RedisProofReplayCache(RedisSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.connection = new RedisConnection(settings, c -> { }, failure -> { });
    connection.connectInBackground();
  }

  /** A cache on the Redis of {@code settings}; it connects in the background. */
  public static RedisProofReplayCache create(RedisSettings settings, Clock clock) {
    return new RedisProofReplayCache(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"));
  }

  @Override
  public CompletionStage<Boolean> firstUse(String id, Instant expiresAt) {
    if (!ID.matcher(Objects.requireNonNull(id, "id")).matches()) {
      // the stage hands hashes only; anything else must never become part of a key
      return CompletableFuture.failedFuture(new IllegalArgumentException("the id is not a base64url hash"));
    }
    long ttl = Duration.between(clock.instant(), expiresAt).toMillis();
    if (ttl <= 0) {
      return CompletableFuture.completedFuture(true);
    }
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands == null) {
      connection.connectInBackground();
      return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
    }
    return commands.set(key(id), SEEN, SetArgs.Builder.nx().px(ttl))
        .toCompletableFuture()
        .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        // "OK" when this SET stored the id, null when NX found it already there
        .thenApply(reply -> reply != null);
  }

  /** The Redis key of an id. */
  String key(String id) {
    return settings.keyPrefix() + ":dpop:{" + id + '}';
  }

  /** Whether the connection to Redis is up. */
  public boolean isConnected() {
    return connection.isConnected();
  }

  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisProofReplayCache[" + settings + ']';
  }
}
