package io.apisec.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process of a test, on a free loopback port, stopped by its pid. Fails
 * loudly when {@code redis-server} is not installed: a missing server must never pass a build.
 * Reusable by any module's tests (it is in this module's test-jar).
 */
public final class RedisServerProcess implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisServerProcess(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts a server that speaks only TLS on its port, presenting {@code certificateFile} and
   * {@code keyFile} (PEM), without asking for client certificates.
   */
  public static RedisServerProcess startTls(java.nio.file.Path certificateFile, java.nio.file.Path keyFile,
      java.nio.file.Path caFile) {
    try {
      int port = freePort();
      RedisServerProcess server = new RedisServerProcess(port, Files.createTempDirectory("apisec-redis"), List.of(
          "--tls-port", Integer.toString(port), "--port", "0", "--tls-cert-file", certificateFile.toString(),
          "--tls-key-file", keyFile.toString(), "--tls-ca-cert-file", caFile.toString(), "--tls-auth-clients", "no"));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  /** Starts a standalone server on a free port. */
  public static RedisServerProcess start(String... extraArgs) {
    try {
      RedisServerProcess server = new RedisServerProcess(freePort(), Files.createTempDirectory("apisec-redis"),
          List.of(extraArgs));
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  /** A free loopback port whose cluster bus port (+10000) is free too. */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      if (port < 55000) {
        try (ServerSocket bus = new ServerSocket(port + 10000, 1, java.net.InetAddress.getLoopbackAddress())) {
          return port;
        } catch (IOException busy) {
          // try another
        }
      }
    }
    throw new IOException("no free port pair found");
  }

  static String executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(name + " is not installed (on PATH); the Redis tests need it: apt-get install redis-server");
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(executable("redis-server"),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes"));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    awaitPong(Duration.ofSeconds(10));
  }

  private void awaitPong(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited: " + log());
      }
      // the log, not PING, so that a TLS-only server is awaited the same way
      if (log().contains("Ready to accept connections")) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException("redis-server did not answer PING on port " + port + ": " + log());
  }

  /** Whether the server answers PING now. */
  public boolean ping() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[7];
      int n = socket.getInputStream().read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** Runs {@code redis-cli} against this server and returns its output. */
  public String cli(String... args) {
    List<String> command = new ArrayList<>(List.of(executable("redis-cli"), "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    try {
      Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!cli.waitFor(10, TimeUnit.SECONDS)) {
        cli.destroyForcibly();
        throw new IllegalStateException("redis-cli hung: " + command);
      }
      return new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /** Starts the server again on the same port, empty. */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart redis-server", e);
    }
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server pid " + process.pid() + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind harms nobody
    }
  }
}
