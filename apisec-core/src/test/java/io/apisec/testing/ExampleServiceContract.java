package io.apisec.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * What every example service with the bundled greetings configuration must do (a public
 * {@code /hello}, a {@code /me} needing {@code greetings:read}, nothing else routed), checked over
 * real HTTP. An example's test extends it and starts its server.
 */
public abstract class ExampleServiceContract {
  /** The service's base URL, such as {@code http://127.0.0.1:8080}. */
  protected abstract String base();

  /** The issuer whose tokens the service accepts. */
  protected abstract LocalIssuer issuer();

  /** The client for the service (one that trusts its certificate when it serves HTTPS). */
  protected HttpClient client() {
    return HttpClient.newHttpClient();
  }

  protected final HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void publicEndpointAnswersWithoutAToken() throws Exception {
    HttpResponse<String> response = get("/hello", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"greeting\":\"hello\"}");
  }

  @Test
  void protectedEndpointSeesTheVerifiedSubject() throws Exception {
    HttpResponse<String> response = get("/me", issuer().token("greetings:read"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"subject\":\"alice\"}");
  }

  @Test
  void protectedEndpointWithoutATokenIsDeniedWith401ProblemDocument() throws Exception {
    HttpResponse<String> response = get("/me", null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void pathWithoutARouteIsDeniedWith404() throws Exception {
    assertThat(get("/admin", issuer().token("greetings:read")).statusCode()).isEqualTo(404);
  }
}
