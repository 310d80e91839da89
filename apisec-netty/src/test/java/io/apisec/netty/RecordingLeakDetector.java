package io.apisec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Netty's leak detector at PARANOID, recording every leak report so a test can fail on it. */
final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  private RecordingLeakDetector(Class<?> resource, int samplingInterval) {
    super(resource, samplingInterval);
  }

  /** Must run before any buffer class is initialised (a static block of the test class). */
  static void install() {
    ResourceLeakDetector.setLevel(Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return new RecordingLeakDetector<>(resource, samplingInterval);
      }
    });
  }

  static List<String> leaks() {
    return LEAKS;
  }

  /** Collects garbage and allocates, which is when the detector reports what it found. */
  static void collectAndCheck() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
      probe.release();
    }
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add(resourceType + " leaked:" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add(resourceType + " leaked");
    super.reportUntracedLeak(resourceType);
  }
}
