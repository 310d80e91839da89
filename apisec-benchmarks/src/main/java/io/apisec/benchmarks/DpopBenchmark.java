package io.apisec.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.dpop.InMemoryProofReplayCache;
import io.apisec.dpop.ProofReplayCache;
import io.apisec.jwt.SignatureProviders;
import io.apisec.testing.DpopClient;
import io.apisec.testing.TestIssuer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * DPoP (RFC 9449) through {@link ApiSecurity#evaluate} on one route with an HS256-bound token
 * (the token itself is a verified-cache hit, so what differs is the proof): a plain bearer request
 * as the baseline, the DPoP stage with an ES256 proof and a replay cache that always answers
 * "first use" (proof check only), and the whole stage with the in-memory replay cache and a fresh
 * proof per request (a pool of pre-signed proofs; the cache is replaced when the pool wraps, so
 * every proof is a first use into a cache holding up to the pool's size). Plus the bare ES256
 * signature check of a proof with nimbus on the same JCA provider, for scale. Runs must stay
 * shorter than the proof window (two minutes): a refused proof fails the benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DpopBenchmark {
  private static final String SECRET = "a-benchmark-secret-of-at-least-32-bytes!";
  private static final String URL = "https://api.example.com/orders";
  private static final int POOL = 20_000;

  private ApiSecurity checkOnly;
  private ApiSecurity withCache;
  private ApiSecurity bearer;
  private RequestView bearerRequest;
  private RequestView repeatedProofRequest;
  private RequestView[] freshProofs;
  private int next;
  private SwappedCache cache;
  private ECDSAVerifier verifier;
  private JWSHeader header;
  private byte[] signingInput;
  private Base64URL signature;

  /** The in-memory cache, replaced by an empty one when the proof pool starts over. */
  static final class SwappedCache implements ProofReplayCache {
    private final Clock clock;
    volatile InMemoryProofReplayCache current;

    SwappedCache(Clock clock) {
      this.clock = clock;
      renew();
    }

    void renew() {
      current = new InMemoryProofReplayCache(clock, InMemoryProofReplayCache.DEFAULT_MAX_ENTRIES);
    }

    @Override
    public CompletionStage<Boolean> firstUse(String id, Instant expiresAt) {
      return current.firstUse(id, expiresAt);
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Clock clock = Clock.systemUTC();
    TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
    DpopClient client = DpopClient.es256(clock);
    String token = idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("cnf", client.cnf())
        .expiresIn(Duration.ofHours(2)).sign();
    String plain = idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).expiresIn(Duration.ofHours(2)).sign();
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .jwt(JwtConfig.builder()
            .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
            .build())
        .route(Route.builder("GET /orders").build())
        .build();
    checkOnly = ApiSecurity.builder(config).auditToSystemLogger(false)
        .proofReplayCache((id, expiresAt) -> CompletableFuture.completedFuture(true)).build();
    cache = new SwappedCache(clock);
    withCache = ApiSecurity.builder(config).auditToSystemLogger(false).proofReplayCache(cache).build();
    bearer = ApiSecurity.builder(config).auditToSystemLogger(false).build();
    bearerRequest = request("Bearer " + plain, null);
    String proof = client.proof("GET", URL, token).sign();
    repeatedProofRequest = request("DPoP " + token, proof);
    freshProofs = new RequestView[POOL];
    for (int i = 0; i < POOL; i++) {
      freshProofs[i] = request("DPoP " + token, client.proof("GET", URL, token).sign());
    }
    // the pool's proofs must stay inside the window (60 s + 60 s skew) for the whole run
    if (!(evaluate(bearer, bearerRequest) instanceof Decision.Allow)
        || !(evaluate(checkOnly, repeatedProofRequest) instanceof Decision.Allow)
        || !(evaluate(withCache, freshProofs[0]) instanceof Decision.Allow)
        || !(evaluate(withCache, freshProofs[0]) instanceof Decision.Deny)) {
      throw new IllegalStateException("the benchmark requests are not decided as expected");
    }
    cache.renew();
    String[] parts = proof.split("\\.");
    signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    signature = new Base64URL(parts[2]);
    header = new JWSHeader(JWSAlgorithm.ES256);
    JWK jwk = JWK.parse(client.publicJwk());
    java.security.interfaces.ECPublicKey key = ((ECKey) jwk).toECPublicKey();
    if (SignatureProviders.ECDSA == null) {
      verifier = new ECDSAVerifier(key);
    } else {
      verifier = new ECDSAVerifier((java.security.interfaces.ECPublicKey) java.security.KeyFactory
          .getInstance("EC", SignatureProviders.ECDSA).generatePublic(new java.security.spec.X509EncodedKeySpec(key.getEncoded())));
      verifier.getJCAContext().setProvider(SignatureProviders.ECDSA);
    }
    if (!verifier.verify(header, signingInput, signature) || Base64.getUrlDecoder().decode(parts[2]).length != 64) {
      throw new IllegalStateException("the bare verifier refuses the proof");
    }
  }

  private static RequestView request(String authorization, String proof) {
    Headers headers = proof == null
        ? Headers.of("Host", "api.example.com", "Authorization", authorization)
        : Headers.of("Host", "api.example.com", "Authorization", authorization, "DPoP", proof);
    return RequestView.builder().method("GET").target("/orders").headers(headers)
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .tls(new io.apisec.TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", java.util.List.of()))
        .build();
  }

  private static Decision evaluate(ApiSecurity security, RequestView request) {
    return security.evaluate(request).toCompletableFuture().join();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    checkOnly.close();
    withCache.close();
    bearer.close();
  }

  /** Baseline: the same route with a plain bearer token (verified-token cache hit). */
  @Benchmark
  public Decision bearerBaseline() {
    return evaluate(bearer, bearerRequest);
  }

  /** The DPoP stage checking an ES256 proof (header cache hit, signature, claims), no replay store. */
  @Benchmark
  public Decision proofCheckEs256() {
    return evaluate(checkOnly, repeatedProofRequest);
  }

  /** The whole DPoP stage with a fresh ES256 proof per request and the in-memory replay cache. */
  @Benchmark
  public Decision dpopStageWithReplayCache() {
    if (next == POOL) {
      next = 0;
      cache.renew();
    }
    Decision decision = evaluate(withCache, freshProofs[next++]);
    if (!(decision instanceof Decision.Allow)) {
      // a proof past its window would measure the refusal instead
      throw new IllegalStateException("a fresh proof was refused: " + decision);
    }
    return decision;
  }

  /** The bare nimbus ES256 verification of a proof's signature, on the provider the stage uses, for scale. */
  @Benchmark
  public boolean bareEs256Verify() throws Exception {
    return verifier.verify(header, signingInput, signature);
  }
}
