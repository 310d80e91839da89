package io.apisec.examples.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.ExampleServiceContract;
import io.apisec.testing.LocalIssuer;
import io.apisec.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Netty example over real HTTPS (a certificate from a test CA) with the bundled apisec.yaml. */
class NettyExampleIT extends ExampleServiceContract {
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

  @Override
  protected String base() {
    return base;
  }

  @Override
  protected LocalIssuer issuer() {
    return issuer;
  }

  @Test
  void responsesOverTlsCarryHsts() throws Exception {
    assertThat(get("/hello", null).headers().firstValue("Strict-Transport-Security")).isPresent();
  }

  @Override
  protected HttpClient client() {
    return client;
  }
}
