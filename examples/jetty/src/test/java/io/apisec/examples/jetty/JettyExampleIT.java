package io.apisec.examples.jetty;

import io.apisec.testing.LocalIssuer;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded Jetty example with the bundled apisec.yaml. */
class JettyExampleIT {
  static LocalIssuer issuer;
  static ApiSecurity security;
  static Server server;
  static String base;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalIssuer();
    security = ApiSecurity.of(ConfigLoader.parseYaml(issuer.bundledConfig("/apisec.yaml"), null));
    server = JettyExample.start(security, 0);
    base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    security.close();
    issuer.close();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void publicEndpointAnswersWithoutAToken() throws Exception {
    HttpResponse<String> response = get("/hello", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"greeting\":\"hello\"}");
  }

  @Test
  void protectedEndpointSeesTheVerifiedSubject() throws Exception {
    HttpResponse<String> response = get("/me", issuer.token("greetings:read"));
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
    assertThat(get("/admin", issuer.token("greetings:read")).statusCode()).isEqualTo(404);
  }
}
