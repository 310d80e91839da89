package io.apisec.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Proves that the conformance tests would see a blocked event loop: the capture they rely on works. */
class BlockedThreadCaptureIT {
  @Test
  void blockingTheEventLoopIsRecorded() throws Exception {
    Vertx vertx = VertxTesting.vertx();
    try {
      vertx.runOnContext(v -> {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (VertxTesting.BLOCKED.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(VertxTesting.BLOCKED).anyMatch(message -> message.contains("has been blocked"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      VertxTesting.BLOCKED.clear();
    }
  }
}
