package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The jar as operators run it: {@code --config FILE}, SIGHUP reloads, SIGTERM drains and exits 0. */
class GatewayProcessIT {
  private static final Pattern PORT = Pattern.compile("\"port\":(\\d+)");

  @Test
  void sigtermDrainsTheRequestInFlightRefusesNewConnectionsAndExitsZero() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      Files.writeString(fixture.config, fixture.yaml("none", "    timeout: 30s\n", "", GatewayFixture.ROUTES));
      try (GatewayProcess gateway = new GatewayProcess("--config", fixture.config.toString())) {
        int port = port(gateway, "https listening");
        HttpClient client = fixture.client();
        String base = "https://localhost:" + port;
        assertThat(GatewayFixture.get(client, base + "/public/before").statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/slow/drain")).build(), HttpResponse.BodyHandlers.ofString());
        GatewayFixture.await(() -> fixture.upstream.slowArrivals.get() == 1, Duration.ofSeconds(10), "the slow request arrived");

        gateway.signal("TERM");
        gateway.awaitLine(false, line -> line.contains("\"message\":\"draining\""), Duration.ofSeconds(10));
        HttpClient fresh = fixture.client();
        boolean refused;
        try {
          GatewayFixture.get(fresh, base + "/public/after");
          refused = false;
        } catch (java.io.IOException e) {
          refused = true;
        }
        assertThat(refused).as("a new connection while draining is refused").isTrue();
        assertThat(inFlight).isNotDone();
        fixture.upstream.releaseSlow();

        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
        assertThat(gateway.err()).anyMatch(line -> line.contains("\"message\":\"drained\""));
      }
    }
  }

  @Test
  void sighupReloadsAndAnInvalidFileIsRefusedWhileTheOldConfigurationServes() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      String yaml = fixture.yaml("none", "", "", GatewayFixture.ROUTES);
      Files.writeString(fixture.config, yaml);
      try (GatewayProcess gateway = new GatewayProcess("--config", fixture.config.toString())) {
        int port = port(gateway, "https listening");
        gateway.awaitLine(false, line -> line.contains("\"message\":\"started\""), Duration.ofSeconds(30));
        HttpClient client = fixture.client();
        String base = "https://localhost:" + port;
        assertThat(GatewayFixture.get(client, base + "/hup/x").statusCode()).isEqualTo(404);

        Files.writeString(fixture.config, yaml + "  - match: /hup/**\n    auth: none\n");
        gateway.signal("HUP");
        gateway.awaitLine(false, line -> line.contains("configuration reloaded"), Duration.ofSeconds(15));
        assertThat(GatewayFixture.get(client, base + "/hup/x").statusCode()).isEqualTo(200);

        Files.writeString(fixture.config, yaml + "  - match: /hup/**\n    auth: nope\n");
        gateway.signal("HUP");
        String refused = gateway.awaitLine(false, line -> line.contains("configuration refused"), Duration.ofSeconds(15));
        assertThat(refused).contains("\"key\":\"routes[5].auth\"").contains("\"line\":");
        assertThat(GatewayFixture.get(client, base + "/hup/x").statusCode()).isEqualTo(200);

        gateway.signal("TERM");
        assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
      }
    }
  }

  @Test
  void badConfigurationExitsWithStatus2NamingKeyAndLine() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      Files.writeString(fixture.config, fixture.yaml("none", "", "", GatewayFixture.ROUTES)
          .replace("  admin:", "  admn:"));
      try (GatewayProcess gateway = new GatewayProcess("check-config", fixture.config.toString())) {
        assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(String.join("\n", gateway.err())).contains("gateway.admn").contains("line 12").contains("did you mean 'admin'");
      }
      try (GatewayProcess gateway = new GatewayProcess("--config", fixture.config.toString())) {
        assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      }
    }
  }

  private static int port(GatewayProcess gateway, String message) {
    String line = gateway.awaitLine(false, l -> l.contains(message), Duration.ofSeconds(30));
    Matcher m = PORT.matcher(line);
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
