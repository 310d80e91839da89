package io.apisec.benchmarks;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.internal.Json;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JWT stage through {@link ApiSecurity#evaluate} (one route, RS256-2048, a 12-claim token):
 * a token verified for the first time (cache disabled), a repeated token (cache hit), and bare
 * nimbus {@link DefaultJWTProcessor} with an {@link ImmutableJWKSet} on the same token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtStageBenchmark {
  private TestIssuer idp;
  private ApiSecurity cached;
  private ApiSecurity uncached;
  private RequestView request;
  private String token;
  private DefaultJWTProcessor<SecurityContext> nimbus;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Clock clock = Clock.systemUTC();
    idp = TestIssuer.start(clock);
    TestKey key = TestKey.rsa("bench-1");
    idp.publish(key);
    token = idp.token(key)
        .claim("nbf", clock.instant().getEpochSecond() - 10)
        .claim("email", "alice@example.com")
        .claim("name", "Alice Example")
        .claim("tenant", "acme")
        .expiresIn(Duration.ofHours(2))
        .sign(); // iss sub aud iat exp jti client_id scope nbf email name tenant: 12 claims
    cached = start(10_000);
    uncached = start(0);
    request = RequestView.builder().method("GET").target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + token, "Host", "api.example.com"))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000)).build();
    nimbus = new DefaultJWTProcessor<>();
    nimbus.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
    nimbus.setJWSKeySelector(new JWSVerificationKeySelector<>(com.nimbusds.jose.JWSAlgorithm.RS256,
        new ImmutableJWKSet<>(JWKSet.parse(Json.write(Map.of("keys", List.of(key.jwk())))))));
    if (!(evaluate(cached) instanceof Decision.Allow) || !(evaluate(uncached) instanceof Decision.Allow)) {
      throw new IllegalStateException("the benchmark token is not accepted");
    }
  }

  private ApiSecurity start(int cacheEntries) {
    JwtConfig jwt = JwtConfig.builder()
        .cacheMaxEntries(cacheEntries)
        .issuer(JwtConfig.Issuer.builder(idp.issuer()).jwksUri(idp.jwksUri()).audiences("api")
            .algorithms("RS256").type("at+jwt").build())
        .build();
    ApiSecurityConfig config = ApiSecurityConfig.builder().jwt(jwt).route(Route.builder("GET /orders").build()).build();
    ApiSecurity security = ApiSecurity.builder(config).auditToSystemLogger(false).build();
    TestIssuer.await(() -> security.health().ready(), "the keys to load");
    return security;
  }

  private Decision evaluate(ApiSecurity security) {
    return security.evaluate(request).toCompletableFuture().join();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cached.close();
    uncached.close();
    idp.close();
  }

  /** A token seen for the first time: parse, checks, signature (cache disabled). */
  @Benchmark
  public Decision coldToken() {
    return evaluate(uncached);
  }

  /** A token presented again: SHA-256 and a cache hit, no signature check. */
  @Benchmark
  public Decision cachedToken() {
    return evaluate(cached);
  }

  /** Bare nimbus on the same token: parse, key selection, verify, claims checks. */
  @Benchmark
  public JWTClaimsSet nimbusProcessor() throws Exception {
    return nimbus.process(token, null);
  }
}
