package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.IntrospectionConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.IntrospectionEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
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
 * Opaque tokens through the whole pipeline ({@code GET /orders}: bearer token, introspection, scope
 * check) against a loopback RFC 7662 endpoint (the JDK's HttpServer, client_secret_basic): a cached
 * answer, a cache miss (a real HTTP call per request), and the bare JDK HttpClient making the same
 * call without apisec, so the miss's overhead over the round trip is a ratio in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// the JDK HttpServer endpoint leaves Nagle on by default, which with delayed ACKs adds ~40 ms to every
// loopback exchange: an artefact of the test server, not of an IdP, so it is turned off
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dsun.net.httpserver.nodelay=true"})
@Threads(1)
public class IntrospectionBenchmark {
  private IntrospectionEndpoint endpoint;
  private ApiSecurity cached;
  private ApiSecurity uncached;
  private HttpClient bare;
  private HttpRequest bareRequest;
  private String[] tokens;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    endpoint = IntrospectionEndpoint.start(Clock.systemUTC()).expectBasic("bench", "bench-secret");
    tokens = new String[Bench.COLD_POOL];
    long exp = Instant.now().plus(Duration.ofHours(2)).getEpochSecond();
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = "opaque-bench-token-" + i + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
      endpoint.activate(tokens[i], Map.of("sub", "user-" + i, "scope", "orders:read", "aud", "orders-api",
          "client_id", "bench-app", "exp", exp));
    }
    cached = security(Bench.WARM_CACHE);
    uncached = security(0);
    bare = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    bareRequest = HttpRequest.newBuilder(URI.create(endpoint.url()))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            "bench:bench-secret".getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString("token=" + tokens[0] + "&token_type_hint=access_token"))
        .build();
    Fixture.requireAllowed(cacheHit(), "an opaque token (cached)");
    Fixture.requireAllowed(cacheMiss(), "an opaque token (introspected)");
  }

  private ApiSecurity security(int cacheEntries) {
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder("https://idp.example.com/").audiences("orders-api")
            .introspection(IntrospectionConfig.builder(endpoint.url()).clientId("bench").clientSecret("bench-secret")
                .cacheMaxEntries(cacheEntries).build())
            .build())
        .build();
    ApiSecurityConfig config = ApiSecurityConfig.builder().jwt(jwt)
        .route(Route.builder("GET /orders").scopes("orders:read").build()).build();
    return ApiSecurity.builder(config).auditToSystemLogger(false).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cached.close();
    uncached.close();
    endpoint.close();
  }

  private static RequestView request(String token) {
    return RequestView.builder()
        .method("GET")
        .target("/orders")
        .headers(Headers.of("Authorization", "Bearer " + token))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 50000))
        .build();
  }

  /** The same token again: the answer comes from the cache. */
  @Benchmark
  public Decision cacheHit() {
    return Bench.evaluate(cached, request(tokens[0]));
  }

  /** A token whose answer is not cached: one introspection call on loopback per request. */
  @Benchmark
  public Decision cacheMiss() {
    next = (next + 1) % tokens.length;
    return Bench.evaluate(uncached, request(tokens[next]));
  }

  /** The JDK HttpClient alone posting an introspection request to the same endpoint. */
  @Benchmark
  public int bareHttpCall() throws IOException, InterruptedException {
    return bare.send(bareRequest, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
  }
}
