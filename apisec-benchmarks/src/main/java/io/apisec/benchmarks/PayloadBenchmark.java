package io.apisec.benchmarks;

import com.networknt.schema.ValidationMessage;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import java.util.Set;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The payload stage alone ({@code POST /payload}: content type, size, strict Jackson parse,
 * draft 2020-12 schema with formats, problem document on failure) beside Jackson {@code readTree}
 * plus networknt {@code validate} on the same 1 KB body.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class PayloadBenchmark {
  @Param({"valid", "invalid"})
  String body;

  private Fixture fixture;
  private ApiSecurity security;
  private BareLibraries bare;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() {
    fixture = new Fixture();
    security = fixture.security(Bench.WARM_CACHE);
    bare = new BareLibraries(fixture);
    bytes = body.equals("valid") ? Fixture.VALID_BODY : Fixture.INVALID_BODY;
    Decision decision = apisecStage();
    if (body.equals("valid")) {
      Fixture.requireAllowed(decision, "POST /payload");
    } else {
      Fixture.requireDenied(decision, "POST /payload with an invalid body");
    }
    if (jacksonAndValidator().isEmpty() != body.equals("valid")) {
      throw new IllegalStateException("networknt disagrees about the " + body + " body");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    security.close();
    fixture.close();
  }

  @Benchmark
  public Decision apisecStage() {
    return Bench.evaluate(security, fixture.request("POST", "/payload", null, true, bytes));
  }

  @Benchmark
  public Set<ValidationMessage> jacksonAndValidator() {
    return bare.validate(bytes);
  }
}
