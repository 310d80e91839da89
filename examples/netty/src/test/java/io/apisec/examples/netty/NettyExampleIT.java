package io.apisec.examples.netty;

import io.apisec.testing.LocalIssuer;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Netty example over real HTTPS (a certificate from a test CA) with the bundled apisec.yaml. */
class NettyExampleIT {
  static LocalIssuer issuer;
  static ApiSecurity security;
  static EventLoopGroup group;
  static Channel server;
  static String base;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalIssuer();
    security = ApiSecurity.of(ConfigLoader.parseYaml(issuer.bundledConfig("/apisec.yaml"), null));
    group = new NioEventLoopGroup(1);
    TestPki.Issued ca = TestPki.rootCa("Example CA");
    TestPki.Issued certificate = TestPki.localhostServer(ca);
    SslContext tls = SslContextBuilder.forServer(certificate.key(), certificate.fullChain()).build();
    server = NettyExample.start(security, group, 0, tls);
    base = "https://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(TestPki.trustStore(ca.certificate()));
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, trust.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(clientTls).build();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close().sync();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
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
    assertThat(response.headers().firstValue("Strict-Transport-Security")).isPresent();
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
