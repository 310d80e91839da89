package io.apisec.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.ratelimit.StoreSettings;
import io.apisec.testing.DpopClient;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DPoP replay protection across nodes: two {@link ApiSecurity} instances configured with the same
 * Redis {@code store} pick the Redis replay cache by themselves, and a proof accepted by one is
 * refused by the other, against a real redis-server.
 */
class RedisProofReplayIT {
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";
  private static final String URL = "https://api.example.com/orders";

  private final MutableClock clock = MutableClock.now();
  private final TestIssuer idp = TestIssuer.minting("https://idp.example.com/", clock);
  private final DpopClient client = DpopClient.es256(clock);
  private RedisServerProcess redis;
  private ApiSecurity nodeA;
  private ApiSecurity nodeB;

  @BeforeEach
  void start() {
    redis = RedisServerProcess.start();
    nodeA = node();
    nodeB = node();
  }

  @AfterEach
  void stop() {
    nodeA.close();
    nodeB.close();
    redis.close();
    RedisStores.await("client threads to end", Duration.ofSeconds(10), () -> RedisStores.clientThreads() == 0);
  }

  private ApiSecurity node() {
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .jwt(JwtConfig.builder()
            .issuer(JwtConfig.Issuer.builder(idp.issuer()).secret(SECRET).algorithms("HS256").audiences("api").build())
            .build())
        .rateLimitStore(new StoreSettings("redis", Map.of("uri", redis.uri(), "timeout", "300ms")))
        .route(Route.builder("GET /orders").build())
        .build();
    ApiSecurity node = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    RedisStores.await("the replay cache to connect", Duration.ofSeconds(15), () -> {
      String token = token();
      return send(node, token, client.proof("GET", URL, token).sign()) instanceof Decision.Allow;
    });
    return node;
  }

  private String token() {
    return idp.hmacToken(SECRET.getBytes(StandardCharsets.UTF_8)).claim("cnf", client.cnf()).sign();
  }

  private static Decision send(ApiSecurity node, String token, String proof) {
    RequestView view = RequestView.builder().method("GET").target("/orders")
        .headers(Headers.of("Host", "api.example.com", "Authorization", "DPoP " + token, "DPoP", proof))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .tls(new io.apisec.TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", java.util.List.of()))
        .build();
    try {
      return node.evaluate(view).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the decision did not complete", e);
    }
  }

  @Test
  void aProofAcceptedByOneNodeIsRefusedAsAReplayByTheOther() {
    String token = token();
    String proof = client.proof("GET", URL, token).sign();
    assertThat(send(nodeA, token, proof)).isInstanceOf(Decision.Allow.class);
    Decision replayed = send(nodeB, token, proof);
    assertThat(replayed).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) replayed;
    assertThat(deny.reason()).isEqualTo(DenyReason.INVALID_DPOP_PROOF);
    assertThat(deny.status()).isEqualTo(401);
    assertThat(deny.detail()).contains("used before (jti)");
    assertThat(deny.responseHeaders().firstOrNull("WWW-Authenticate")).startsWith("DPoP algs=");
    // and a fresh proof is still fine on either node
    assertThat(send(nodeB, token, client.proof("GET", URL, token).sign())).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void theRedisKeysHoldAHashNeverTheJtiAndExpireWithTheProofWindow() {
    String token = token();
    String jti = "client-chosen-jti-" + System.nanoTime();
    assertThat(send(nodeA, token, client.proof("GET", URL, token).claim("jti", jti).sign()))
        .isInstanceOf(Decision.Allow.class);
    String keys = redis.cli("--scan", "--pattern", "apisec:dpop:*");
    assertThat(keys).isNotBlank().doesNotContain(jti);
    for (String key : keys.strip().split("\\s+")) {
      assertThat(key).matches("apisec:dpop:\\{[A-Za-z0-9_-]{43}\\}");
      long ttl = Long.parseLong(redis.cli("PTTL", key).strip());
      // proof-max-age 60 s + jwt clock skew 60 s + 1 s
      assertThat(ttl).isPositive().isLessThanOrEqualTo(121_000);
    }
  }

  @Test
  void whileRedisIsDownProofsAreRefusedWith503NotAccepted() {
    redis.kill();
    String token = token();
    Decision decision = send(nodeA, token, client.proof("GET", URL, token).sign());
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) decision).reason()).isEqualTo(DenyReason.UNAVAILABLE);
    assertThat(decision.status()).isEqualTo(503);
  }
}
