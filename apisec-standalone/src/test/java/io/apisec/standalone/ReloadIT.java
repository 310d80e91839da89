package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** Reloads of configuration and certificates while traffic flows. */
class ReloadIT {

  @Test
  void reloadUnderLoadFailsNoRequestAndAppliesTheNewRoutes() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      String base = fixture.yaml("optional", "    timeout: 30s\n", "", GatewayFixture.ROUTES);
      fixture.start(base);
      HttpClient client = fixture.client();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> load = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread = new Thread(() -> {
          while (running.get()) {
            try {
              int status = GatewayFixture.get(client, fixture.https("/public/load")).statusCode();
              if (status == 200) {
                ok.incrementAndGet();
              } else {
                failures.add("status " + status);
              }
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        });
        thread.start();
        load.add(thread);
      }
      // a request in flight across every reload
      CompletableFuture<HttpResponse<String>> held = client.sendAsync(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(fixture.https("/slow/held"))).build(),
          HttpResponse.BodyHandlers.ofString());
      GatewayFixture.await(() -> fixture.upstream.slowArrivals.get() == 1, Duration.ofSeconds(10), "the held request arrived");

      for (int i = 0; i < 6; i++) {
        int before = ok.get();
        GatewayFixture.await(() -> ok.get() > before + 20, Duration.ofSeconds(20), "traffic flowed");
        String routes = i % 2 == 0 ? "  - match: /extra/**\n    auth: none\n" : "";
        Files.writeString(fixture.config, base + routes, StandardCharsets.UTF_8);
        assertThat(fixture.gateway.reload("test")).isTrue();
        int expected = i % 2 == 0 ? 200 : 404;
        assertThat(GatewayFixture.get(client, fixture.https("/extra/x")).statusCode()).isEqualTo(expected);
      }
      int before = ok.get();
      GatewayFixture.await(() -> ok.get() > before + 20, Duration.ofSeconds(20), "traffic flowed after the reloads");
      running.set(false);
      for (Thread thread : load) {
        thread.join(10_000);
      }
      fixture.upstream.releaseSlow();

      assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(100);
      assertThat(fixture.gateway.metrics().count("apisec_config_reloads_total", "result=\"applied\"")).isEqualTo(6);
    }
  }

  @Test
  void invalidConfigurationIsRefusedAndThePreviousOneKeepsServing() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture().startDefault()) {
      HttpClient client = fixture.client();
      String good = Files.readString(fixture.config);
      Files.writeString(fixture.config, good.replace("  - match: /public/**\n    auth: none\n",
          "  - match: /public/**\n    auht: none\n"));

      assertThat(fixture.gateway.reload("test")).isFalse();
      assertThat(GatewayFixture.get(client, fixture.https("/public/still")).statusCode()).isEqualTo(200);
      assertThat(fixture.gateway.metrics().count("apisec_config_reloads_total", "result=\"refused\"")).isEqualTo(1);

      Files.writeString(fixture.config, good.replace("port: 0\n    certificate: server.pem", "port: 0\n    certificate: missing.pem"));
      assertThat(fixture.gateway.reload("test")).isFalse();
      assertThat(GatewayFixture.get(client, fixture.https("/public/still")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void changedFileIsReloadedWithoutASignal() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      String yaml = fixture.yaml("optional", "", "", GatewayFixture.ROUTES).replace("watch-config: false", "watch-config: true");
      fixture.start(yaml);
      HttpClient client = fixture.client();
      assertThat(GatewayFixture.get(client, fixture.https("/added/x")).statusCode()).isEqualTo(404);

      Files.writeString(fixture.config, yaml + "  - match: /added/**\n    auth: none\n");

      GatewayFixture.await(() -> {
        try {
          return GatewayFixture.get(client, fixture.https("/added/x")).statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      }, Duration.ofSeconds(15), "the changed file was reloaded");
    }
  }

  @Test
  void renewedServerCertificateIsServedToNewConnections() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture().startDefault()) {
      X509Certificate before = served(fixture);
      DevPki.Issued ca = new DevPki.Issued(TlsMaterial.certificates(fixture.dir.resolve(DevPki.CA)).get(0),
          new java.security.KeyPair(null, TlsMaterial.privateKey(fixture.dir.resolve(DevPki.CA_KEY))));
      DevPki.Issued renewed = DevPki.server(ca, Duration.ofDays(2));
      DevPki.writePem(fixture.dir.resolve(DevPki.SERVER), renewed.certificate());
      DevPki.writeKey(fixture.dir.resolve(DevPki.SERVER_KEY), renewed.keys());

      assertThat(fixture.gateway.reload("test")).isTrue();

      X509Certificate after = served(fixture);
      assertThat(after).isNotEqualTo(before).isEqualTo(renewed.certificate());
    }
  }

  private static X509Certificate served(GatewayFixture fixture) throws Exception {
    try (SSLSocket socket = (SSLSocket) fixture.clientTls(false).getSocketFactory()
        .createSocket("127.0.0.1", fixture.gateway.httpsPort())) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
