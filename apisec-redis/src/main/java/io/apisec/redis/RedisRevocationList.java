package io.apisec.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.apisec.jwt.RevocationList;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The {@code jti} deny list in Redis (standalone or cluster), shared by every node: a revoked id
 * is stored under {@code apisec:revoked:<sha-256>} until the token's own expiry, after which
 * Redis drops it. {@link #revoke} is the admin operation; call it from an admin endpoint or tool.
 *
 * <p>A small local cache answers repeated questions: a revoked id stays cached until the token
 * expires (revocation is final), an id found not revoked is cached for {@code notRevokedTtl}
 * (one second by default) — the longest a revocation takes to reach the other nodes. Thread-safe;
 * never blocks. While Redis is unreachable an uncached question completes exceptionally within
 * the timeout, which the pipeline answers with 503 (fail closed).
 */
public final class RedisRevocationList implements RevocationList, AutoCloseable {
  private final RedisSettings settings;
  private final Clock clock;
  private final RedisConnection connection;
  private final Cache<String, Instant> revoked;
  private final Cache<String, Boolean> notRevoked;

  private RedisRevocationList(RedisSettings settings, Clock clock, Duration notRevokedTtl, long maxCached) {
    this.settings = settings;
    this.clock = clock;
    this.revoked = Caffeine.newBuilder().maximumSize(maxCached).executor(Runnable::run).build();
    this.notRevoked = Caffeine.newBuilder().maximumSize(maxCached).expireAfterWrite(notRevokedTtl)
        .ticker(() -> {
          Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        })
        .executor(Runnable::run).build();
    this.connection = new RedisConnection(settings, c -> { }, failure -> { });
    connection.connectInBackground();
  }

  /** A list with a one-second cache of ids found not revoked and up to 10,000 cached ids. */
  public static RedisRevocationList create(RedisSettings settings, Clock clock) {
    return create(settings, clock, Duration.ofSeconds(1), 10_000);
  }

  /** A list whose "not revoked" answers are cached for {@code notRevokedTtl} (zero: never). */
  public static RedisRevocationList create(RedisSettings settings, Clock clock, Duration notRevokedTtl, long maxCached) {
    if (notRevokedTtl.isNegative() || maxCached <= 0) {
      throw new IllegalArgumentException("the cache TTL must not be negative and its size must be positive");
    }
    return new RedisRevocationList(settings, clock, notRevokedTtl, maxCached);
  }

  @Override
  public CompletionStage<Boolean> isRevoked(String tokenId) {
    String key = key(Objects.requireNonNull(tokenId, "tokenId"));
    Instant until = revoked.getIfPresent(key);
    Instant now = clock.instant();
    if (until != null && until.isAfter(now)) {
      return CompletableFuture.completedFuture(true);
    }
    if (notRevoked.getIfPresent(key) != null) {
      return CompletableFuture.completedFuture(false);
    }
    RedisClusterAsyncCommands<String, byte[]> commands = commands();
    if (commands == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
    }
    return commands.pttl(key).toCompletableFuture()
        .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ttl -> {
          if (ttl == null || ttl == -2) {
            notRevoked.put(key, Boolean.TRUE);
            return false;
          }
          // -1 (no expiry) cannot come from revoke(); cache such an entry briefly all the same
          revoked.put(key, clock.instant().plusMillis(ttl > 0 ? ttl : 1000));
          return true;
        });
  }

  /**
   * Revokes the token with this id on every node until {@code expiresAt}; an already expired token
   * needs no entry. Completes when Redis has stored it.
   */
  @Override
  public CompletionStage<Void> revoke(String tokenId, Instant expiresAt) {
    String key = key(Objects.requireNonNull(tokenId, "tokenId"));
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (!expiresAt.isAfter(clock.instant())) {
      return CompletableFuture.completedFuture(null);
    }
    RedisClusterAsyncCommands<String, byte[]> commands = commands();
    if (commands == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
    }
    return commands.set(key, new byte[] {'1'}, SetArgs.Builder.pxAt(expiresAt.toEpochMilli()))
        .toCompletableFuture()
        .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenAccept(ok -> {
          revoked.put(key, expiresAt);
          notRevoked.invalidate(key);
        });
  }

  private RedisClusterAsyncCommands<String, byte[]> commands() {
    RedisClusterAsyncCommands<String, byte[]> commands = connection.commands();
    if (commands == null) {
      connection.connectInBackground();
    }
    return commands;
  }

  private String key(String tokenId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(tokenId.getBytes(StandardCharsets.UTF_8));
      return settings.keyPrefix() + ":revoked:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
