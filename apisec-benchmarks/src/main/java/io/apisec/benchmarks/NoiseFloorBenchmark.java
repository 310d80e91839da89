package io.apisec.benchmarks;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The machine's own tail: fixed work of about the T1 pipeline's median that allocates nothing
 * ({@code fixedWork}), and the same work allocating what the pipeline allocates per request
 * ({@code fixedWorkAllocating}). On a quiet machine their p99 sits close to their p50; whatever
 * spread they show in a run is the host's (preemption, neighbours, frequency), not apisec's, and
 * is the yardstick the T1 tail is judged against in that run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class NoiseFloorBenchmark {
  /** Bytes hashed per operation; 24 KB takes about the T1 pipeline's median on this machine kind. */
  @Param({"24576"})
  int bytes;

  /** Bytes allocated per operation in {@code fixedWorkAllocating}: about what the pipeline allocates. */
  @Param({"20480"})
  int garbage;

  private byte[] input;
  private final byte[] output = new byte[32];
  private MessageDigest sha256;

  @Setup(Level.Trial)
  public void setUp() throws NoSuchAlgorithmException {
    input = new byte[bytes];
    for (int i = 0; i < input.length; i++) {
      input[i] = (byte) (i * 31);
    }
    sha256 = MessageDigest.getInstance("SHA-256");
  }

  @Benchmark
  public byte[] fixedWork() throws DigestException {
    sha256.update(input, 0, input.length);
    sha256.digest(output, 0, output.length);
    return output;
  }

  @Benchmark
  public Object fixedWorkAllocating() throws DigestException {
    byte[][] chunks = new byte[garbage / 512][];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = new byte[512 - 16];
    }
    sha256.update(input, 0, input.length);
    sha256.digest(output, 0, output.length);
    return chunks;
  }
}
