package io.apisec.examples.springboot;

import io.apisec.testing.LocalIssuer;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/** The Spring Boot example, started as {@code main} starts it, with the bundled apisec.yaml. */
class SpringBootExampleIT {
  @TempDir static Path directory;
  static LocalIssuer issuer;
  static ServletWebServerApplicationContext context;
  static String base;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalIssuer();
    Path config = issuer.bundledConfigFile("/apisec.yaml", directory);
    context = (ServletWebServerApplicationContext) SpringApplication.run(SpringBootExample.class,
        "--server.port=0", "--apisec.config=file:" + config);
    base = "http://127.0.0.1:" + context.getWebServer().getPort();
  }

  @AfterAll
  static void stop() {
    context.close();
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
    assertThat(response.body()).contains("hello");
    assertThat(response.headers().firstValue("X-Request-ID")).isPresent();
  }

  @Test
  void protectedEndpointSeesTheVerifiedSubject() throws Exception {
    HttpResponse<String> response = get("/me", issuer.token("greetings:read"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"subject\":\"alice\"");
  }

  @Test
  void protectedEndpointWithoutATokenIsDeniedWith401ProblemDocument() throws Exception {
    HttpResponse<String> response = get("/me", null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void tokenWithoutTheScopeIsDeniedWith403() throws Exception {
    assertThat(get("/me", issuer.token("other:read")).statusCode()).isEqualTo(403);
  }
}
