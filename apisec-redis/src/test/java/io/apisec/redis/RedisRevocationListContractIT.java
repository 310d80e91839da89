package io.apisec.redis;

import io.apisec.jwt.RevocationList;
import io.apisec.jwt.RevocationListContract;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisRevocationListContractIT extends RevocationListContract {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Override
  protected RevocationList createList(Clock clock) {
    RedisRevocationList list = RedisRevocationList.create(
        RedisSettings.standalone(redis.uri()).timeout(Duration.ofSeconds(2)).build(), clock, Duration.ZERO, 1000);
    RedisStores.await("the list to connect", Duration.ofSeconds(10), () -> {
      try {
        list.isRevoked("probe").toCompletableFuture().join();
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    return list;
  }

  @Override
  protected void closeList(RevocationList list) {
    ((RedisRevocationList) list).close();
  }
}
