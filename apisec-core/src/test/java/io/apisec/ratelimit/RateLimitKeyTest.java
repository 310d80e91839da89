package io.apisec.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.Attributes;
import io.apisec.AuthMode;
import io.apisec.CertificateIdentity;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.config.ApiSecurityConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Keys from verified identity, put in the attributes as the JWT and mTLS stages would. */
class RateLimitKeyTest {
  private final TestClock clock = new TestClock();
  private final Route route = Route.builder("GET /items").auth(AuthMode.NONE).rateLimits("p").build();

  private Stage stage(RateLimitPolicy policy) {
    ApiSecurityConfig config = ApiSecurityConfig.builder().rateLimit(policy).route(route).build();
    RateLimiting limiting = RateLimiting.create(config, null, clock);
    if (policy.preAuth()) {
      assertThat(limiting.afterAuthentication(route)).isEmpty();
      return limiting.beforeAuthentication(route).orElseThrow();
    }
    assertThat(limiting.beforeAuthentication(route)).isEmpty();
    return limiting.afterAuthentication(route).orElseThrow();
  }

  private static RateLimitPolicy.Builder policy(String... key) {
    return RateLimitPolicy.builder("p").key(key).limit(1, Duration.ofHours(1));
  }

  /** Runs the stage; the rest of the chain answers a recognisable 404. */
  private static Decision run(Stage stage, Claims claims, CertificateIdentity certificate, String... headers) {
    Attributes attributes = new Attributes();
    attributes.put(Attributes.CLIENT_IP, "198.51.100.7");
    attributes.put(Attributes.ROUTE, Route.builder("GET /items").auth(AuthMode.NONE).build());
    if (claims != null) {
      attributes.put(Attributes.CLAIMS, claims);
    }
    if (certificate != null) {
      attributes.put(Attributes.CERTIFICATE, certificate);
    }
    RequestView request = RequestView.builder().method("GET").target("/items").headers(Headers.of(headers)).build();
    Stage.Chain chain = new Stage.Chain() {
      @Override
      public RequestView request() {
        return request;
      }

      @Override
      public Attributes attributes() {
        return attributes;
      }

      @Override
      public CompletionStage<Decision> proceed() {
        return CompletableFuture.completedFuture(Decision.deny(DenyReason.NO_ROUTE, "downstream"));
      }
    };
    return stage.evaluate(chain).toCompletableFuture().join();
  }

  private static boolean passed(Decision d) {
    return d.status() == 404;
  }

  private static Claims claims(Object... pairs) {
    Map<String, Object> map = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return new Claims(map);
  }

  private static CertificateIdentity certificate(String thumbprint) {
    return new CertificateIdentity("CN=a", "CN=ca", "01", List.of(), List.of(), List.of(), List.of(), thumbprint);
  }

  @Test
  void eachVerifiedSubjectHasItsOwnBucket() {
    Stage stage = stage(policy("jwt.sub").build());
    assertThat(passed(run(stage, claims("sub", "alice"), null))).isTrue();
    assertThat(run(stage, claims("sub", "alice"), null).status()).isEqualTo(429);
    assertThat(passed(run(stage, claims("sub", "bob"), null))).isTrue();
  }

  @Test
  void clientIdFallsBackToAzp() {
    Stage stage = stage(policy("jwt.client_id").build());
    assertThat(passed(run(stage, claims("client_id", "app-1", "azp", "other"), null))).isTrue();
    assertThat(run(stage, claims("azp", "app-1"), null).status()).isEqualTo(429);
    assertThat(passed(run(stage, claims("azp", "app-2"), null))).isTrue();
  }

  @Test
  void certificateThumbprintKeysByCertificate() {
    Stage stage = stage(policy("cert.thumbprint").build());
    assertThat(passed(run(stage, null, certificate("t1")))).isTrue();
    assertThat(run(stage, null, certificate("t1")).status()).isEqualTo(429);
    assertThat(passed(run(stage, null, certificate("t2")))).isTrue();
  }

  @Test
  void aCompositeKeyCombinesSubjectAndRoute() {
    Stage stage = stage(policy("jwt.sub", "route").build());
    assertThat(passed(run(stage, claims("sub", "alice"), null))).isTrue();
    assertThat(run(stage, claims("sub", "alice"), null).status()).isEqualTo(429);
    assertThat(passed(run(stage, claims("sub", "alice2"), null))).isTrue();
  }

  @Test
  void compositeValuesCannotForgeEachOther() {
    RateLimitKey key = new RateLimitKey(List.of("header:a", "header:b"));
    String one = key.resolve(chainWith("A", "x1:", "B", "y"));
    String two = key.resolve(chainWith("A", "x", "B", "1:y"));
    assertThat(one).isNotEqualTo(two);
  }

  private static Stage.Chain chainWith(String... headers) {
    RequestView request = RequestView.builder().method("GET").target("/").headers(Headers.of(headers)).build();
    Attributes attributes = new Attributes();
    return new Stage.Chain() {
      @Override
      public RequestView request() {
        return request;
      }

      @Override
      public Attributes attributes() {
        return attributes;
      }

      @Override
      public CompletionStage<Decision> proceed() {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void aHeaderKeyCountsByTheHeaderValue() {
    Stage stage = stage(policy("header:X-Api-Tenant").build());
    assertThat(passed(run(stage, null, null, "x-api-tenant", "t1"))).isTrue();
    assertThat(run(stage, null, null, "X-API-TENANT", "t1").status()).isEqualTo(429);
    assertThat(passed(run(stage, null, null, "X-Api-Tenant", "t2"))).isTrue();
  }

  @Test
  void aMissingKeyIsDeniedSkippedOrSharedAsConfigured() {
    Stage deny = stage(policy("jwt.sub").onMissingKey(RateLimitPolicy.OnMissingKey.DENY).build());
    Decision denied = run(deny, null, null);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(((Decision.Deny) denied).detail()).contains("jwt.sub");

    Stage skip = stage(policy("jwt.sub").onMissingKey(RateLimitPolicy.OnMissingKey.SKIP).build());
    for (int i = 0; i < 3; i++) {
      Decision skipped = run(skip, claims("iss", "x"), null);
      assertThat(passed(skipped)).isTrue();
      assertThat(skipped.responseHeaders().contains("RateLimit")).isFalse();
    }

    Stage shared = stage(policy("jwt.sub").onMissingKey(RateLimitPolicy.OnMissingKey.SHARED).build());
    assertThat(passed(run(shared, null, null))).isTrue();
    assertThat(run(shared, claims("sub", ""), null).status()).isEqualTo(429);
    assertThat(passed(run(shared, claims("sub", "alice"), null))).isTrue();
  }

  @Test
  void identityKeyedPoliciesRunAfterAuthenticationAndTheOthersBefore() {
    assertThat(policy("ip").build().preAuth()).isTrue();
    assertThat(policy("ip", "route", "header:x-tenant").build().preAuth()).isTrue();
    assertThat(policy("jwt.sub").build().preAuth()).isFalse();
    assertThat(policy("ip", "cert.thumbprint").build().preAuth()).isFalse();
  }

  @Test
  void dividingAPolicyAmongNodesKeepsAtLeastOneToken() {
    RateLimitPolicy p = RateLimitPolicy.builder("p").key("ip").limit(20, Duration.ofSeconds(1))
        .limit(RateLimitPolicy.Bandwidth.parse(2, "2/1m", true)).build();
    RateLimitPolicy third = p.dividedAmong(3);
    assertThat(third.limits().get(0).capacity()).isEqualTo(6);
    assertThat(third.limits().get(0).refillTokens()).isEqualTo(6);
    assertThat(third.limits().get(1).capacity()).isEqualTo(1);
    assertThat(third.limits().get(1).interval()).isTrue();
  }
}
