package io.apisec.benchmarks;

import com.nimbusds.jwt.JWTClaimsSet;
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
 * The JWT stage alone ({@code GET /jwt}: a bearer token, issuer policy, scope check) beside nimbus'
 * {@code DefaultJWTProcessor} with an {@code ImmutableJWKSet} verifying the same tokens.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class JwtBenchmark {
  @Param({"RS256", "ES256"})
  String alg;

  @Param({"cold", "repeated"})
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
    Fixture.requireAllowed(apisecStage(), "GET /jwt");
    bare.verify(tokens.next());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    security.close();
    fixture.close();
  }

  @Benchmark
  public Decision apisecStage() {
    return Bench.evaluate(security, fixture.request("GET", "/jwt", tokens.next(), true, null));
  }

  @Benchmark
  public JWTClaimsSet nimbusProcessor() {
    return bare.verify(tokens.next());
  }
}
