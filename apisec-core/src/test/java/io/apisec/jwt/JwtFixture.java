package io.apisec.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.RequestView;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Sends requests with bearer tokens through {@link ApiSecurity#evaluate} and checks denials. */
final class JwtFixture {
  private JwtFixture() {}

  static RequestView request(String path, String authorization) {
    Headers headers = authorization == null ? Headers.empty() : Headers.of("Authorization", authorization);
    return RequestView.builder()
        .method("GET")
        .target(path)
        .headers(headers)
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .build();
  }

  static CompletionStage<Decision> send(ApiSecurity security, String path, String token) {
    return security.evaluate(request(path, "Bearer " + token));
  }

  static Decision decide(ApiSecurity security, String path, String token) {
    return await(send(security, path, token));
  }

  static Decision await(CompletionStage<Decision> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the decision did not complete", e);
    }
  }

  /** Asserts a denial for {@code reason} whose detail contains {@code detail}, never echoing the token. */
  static Decision.Deny assertDenied(Decision decision, DenyReason reason, String detail, String token) {
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.reason()).as("reason (detail: %s)", deny.detail()).isEqualTo(reason);
    assertThat(deny.detail()).contains(detail);
    String body = new String(deny.body(), StandardCharsets.UTF_8);
    if (token != null && token.length() > 20) {
      assertThat(body).doesNotContain(token);
      for (String part : token.split("\\.")) {
        if (part.length() > 8) {
          assertThat(body).doesNotContain(part);
          assertThat(String.join("\n", deny.responseHeaders().all("www-authenticate"))).doesNotContain(part);
        }
      }
    }
    return deny;
  }

  static Decision.Allow assertAllowed(Decision decision) {
    assertThat(decision)
        .as("%s", decision instanceof Decision.Deny ? ((Decision.Deny) decision).detail() : "")
        .isInstanceOf(Decision.Allow.class);
    return (Decision.Allow) decision;
  }
}
