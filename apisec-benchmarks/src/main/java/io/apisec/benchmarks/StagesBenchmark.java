package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.Route;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.MtlsSettings;
import io.apisec.config.OcspSettings;
import io.apisec.testing.LocalOcspResponder;
import io.apisec.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The cheap stages alone: the front door with no stage ({@code GET /open}: hygiene, path
 * normalisation, routing, request id, security headers), the mTLS identity ({@code GET /mtls}),
 * the same with OCSP (hard-fail) answered from the cache, the responder being a real local one,
 * and the local rate limit keyed by client IP ({@code GET /limited}); beside a bare bucket4j
 * bucket, a bucket looked up among 100k in Caffeine, and a hand-made SHA-256 + Caffeine token cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class StagesBenchmark {
  private Fixture fixture;
  private ApiSecurity security;
  private BareLibraries bare;
  private String token;
  private LocalOcspResponder responder;
  private ApiSecurity ocspSecurity;
  private TlsInfo ocspTls;

  @Setup(Level.Trial)
  public void setUp() {
    fixture = new Fixture();
    security = fixture.security(Bench.WARM_CACHE);
    bare = new BareLibraries(fixture);
    token = fixture.token("RS256");
    Fixture.requireAllowed(frontDoorOnly(), "GET /open");
    Fixture.requireAllowed(mtlsStage(), "GET /mtls");
    Fixture.requireAllowed(rateLimitStage(), "GET /limited");
    responder = LocalOcspResponder.start(fixture.clientCa, fixture.clock);
    TestPki.Issued client = TestPki.spec("ocsp-client").clientAuth().ocspUrl(responder.url()).issuedBy(fixture.clientCa);
    responder.answer(client.certificate(), LocalOcspResponder.Answer.GOOD);
    ocspTls = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(client.fullChain()));
    ApiSecurityConfig base = fixture.config(Bench.WARM_CACHE);
    ocspSecurity = ApiSecurity.builder(ApiSecurityConfig.builder()
            .mtls(MtlsSettings.builder().trustAnchors(base.mtls().trustAnchors().toArray(new Path[0]))
                .ocsp(OcspSettings.builder().mode(OcspSettings.Mode.HARD_FAIL).build()).build())
            .audit(base.audit())
            .route(Route.builder("GET /mtls").auth(AuthMode.MTLS).build())
            .build())
        .auditToSystemLogger(false).build();
    Fixture.requireAllowed(mtlsStageWithOcspCacheHit(), "GET /mtls with OCSP");
    if (responder.requests() != 1) {
      throw new IllegalStateException("expected one OCSP request, saw " + responder.requests());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    security.close();
    ocspSecurity.close();
    responder.close();
    fixture.close();
  }

  @Benchmark
  public Decision frontDoorOnly() {
    return Bench.evaluate(security, fixture.request("GET", "/open", null, true, null));
  }

  @Benchmark
  public Decision mtlsStage() {
    return Bench.evaluate(security, fixture.request("GET", "/mtls", null, true, null));
  }

  @Benchmark
  public Decision mtlsStageWithOcspCacheHit() {
    return Bench.evaluate(ocspSecurity, fixture.request("GET", "/mtls", null, ocspTls, null));
  }

  @Benchmark
  public Decision rateLimitStage() {
    return Bench.evaluate(security, fixture.request("GET", "/limited", null, true, null));
  }

  @Benchmark
  public boolean bareBucket() {
    return bare.bucket.tryConsume(1);
  }

  @Benchmark
  public boolean caffeineBucketAmong100k() {
    return bare.consumeAmongMany();
  }

  @Benchmark
  public Object sha256AndCaffeineHit() {
    return bare.cachedToken(token);
  }
}
