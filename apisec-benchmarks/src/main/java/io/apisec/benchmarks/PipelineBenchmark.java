package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
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
 * The whole pipeline through {@code ApiSecurity.evaluate(RequestView)}: {@code POST /orders} with
 * a client certificate (mTLS identity), a twelve-claim bearer token (JWT + scope), a 1 KB JSON
 * body (schema) and a local bucket per subject; on one thread and on all cores. Beside it, the bare
 * libraries chained to do the same work on one thread (nimbus, Jackson + networknt, Caffeine +
 * bucket4j; no token cache, since none of them has one).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PipelineBenchmark {
  @Param({"RS256", "ES256"})
  String alg;

  @Param({"repeated", "cold"})
  String token;

  private Fixture fixture;
  private ApiSecurity security;
  private BareLibraries bare;
  private TokenPool tokens;

  @Setup(Level.Trial)
  public void setUp() {
    fixture = new Fixture();
    security = fixture.security(TokenPool.cacheFor(token));
    bare = new BareLibraries(fixture);
    tokens = TokenPool.of(fixture, alg, token);
    Fixture.requireAllowed(pipeline(), "POST /orders");
    if (!bareLibraries()) {
      throw new IllegalStateException("the bare libraries refused the request");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    security.close();
    fixture.close();
  }

  @Benchmark
  @Threads(1)
  public Decision pipeline() {
    return Bench.evaluate(security, fixture.request("POST", "/orders", tokens.next(), true, Fixture.VALID_BODY));
  }

  @Benchmark
  @Threads(Threads.MAX)
  public Decision pipelineAllCores() {
    return pipeline();
  }

  @Benchmark
  @Threads(1)
  public boolean bareLibraries() {
    String subject = bare.verify(tokens.next()).getSubject();
    return bare.validate(Fixture.VALID_BODY).isEmpty()
        && bare.buckets.get("sub:" + subject, k -> BareLibraries.newBucket()).tryConsume(1);
  }
}
