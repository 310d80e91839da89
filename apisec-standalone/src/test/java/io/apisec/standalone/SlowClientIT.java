package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Slow clients and connection floods must not keep legitimate requests from being served. */
class SlowClientIT {
  private static final String LIMITS =
      "  connections: { max: 1000, header-timeout: 2s, idle-timeout: 20s }\n";

  @Test
  void slowlorisConnectionsAreCutAndLegitimateRequestsAreServedMeanwhile() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.start(fixture.yaml("none", "", LIMITS, GatewayFixture.ROUTES));
      ScheduledExecutorService trickle = Executors.newScheduledThreadPool(4);
      List<Socket> slow = new ArrayList<>();
      AtomicInteger cutWhileTrickling = new AtomicInteger();
      try {
        for (int i = 0; i < 300; i++) {
          Socket socket = new Socket("127.0.0.1", fixture.gateway.httpPort());
          socket.getOutputStream().write("GET /public/slowloris HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
          slow.add(socket);
        }
        // one more header byte on every connection every 500 ms: never a complete header block
        trickle.scheduleAtFixedRate(() -> {
          for (Socket socket : slow) {
            try {
              OutputStream out = socket.getOutputStream();
              out.write('X');
              out.flush();
            } catch (IOException closed) {
              cutWhileTrickling.incrementAndGet();
            }
          }
        }, 0, 500, TimeUnit.MILLISECONDS);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 30; i++) {
          long start = System.nanoTime();
          int status = GatewayFixture.get(client, fixture.http("/public/legit-" + i)).statusCode();
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(status).isEqualTo(200);
          assertThat(millis).as("latency of a legitimate request under a slowloris").isLessThan(2000);
        }

        // every trickling connection is closed by the header timeout (2 s), not served
        for (Socket socket : slow) {
          socket.setSoTimeout(10_000);
          assertThat(readsToEnd(socket.getInputStream())).isTrue();
        }
        assertThat(fixture.gateway.metrics().count("apisec_connections_refused_total", "reason=\"header-timeout\""))
            .isGreaterThanOrEqualTo(300);
        assertThat(fixture.upstream.calls.get()).isEqualTo(30);
      } finally {
        trickle.shutdownNow();
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.start(fixture.yaml("none", "",
          "  connections: { max: 20, header-timeout: 30s, idle-timeout: 30s }\n", GatewayFixture.ROUTES));
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 30; i++) {
          idle.add(new Socket("127.0.0.1", fixture.gateway.httpPort()));
        }
        int closed = 0;
        for (Socket socket : idle) {
          socket.setSoTimeout(200);
          try {
            if (socket.getInputStream().read() < 0) {
              closed++;
            }
          } catch (SocketTimeoutException stillOpen) {
            // an admitted connection stays open until its header timeout
          }
        }
        assertThat(closed).isEqualTo(10);
        assertThat(fixture.gateway.metrics().count("apisec_connections_refused_total", "reason=\"max-connections\""))
            .isEqualTo(10);
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
      GatewayFixture.await(() -> fixture.gateway.openConnections() == 0, Duration.ofSeconds(20), "the idle connections closed");
      assertThat(GatewayFixture.get(HttpClient.newHttpClient(), fixture.http("/public/after")).statusCode()).isEqualTo(200);
    }
  }

  private static boolean readsToEnd(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // the gateway may answer 400/408 before closing; what counts is that it closes
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
