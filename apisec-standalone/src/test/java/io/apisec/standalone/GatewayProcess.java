package io.apisec.standalone;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The shaded jar run as a child process, its output collected line by line. */
final class GatewayProcess implements AutoCloseable {
  final Process process;
  private final List<String> out = new ArrayList<>();
  private final List<String> err = new ArrayList<>();

  GatewayProcess(String... args) throws IOException {
    String jar = System.getProperty("apisec.standalone.jar", "target/apisec-standalone.jar");
    if (!Path.of(jar).toFile().isFile()) {
      throw new IllegalStateException("the shaded jar is missing: " + jar + " (run mvn verify, which packages it first)");
    }
    List<String> command = new ArrayList<>();
    // a build started under nohup passes SIGHUP on ignored, and the JVM cannot take back an ignored
    // signal: perl (essential on Debian) restores its default disposition and execs the JVM in place
    command.addAll(List.of("perl", "-e", "$SIG{HUP} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "--"));
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).start();
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), out);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), err);
  }

  private static void pump(BufferedReader reader, List<String> lines) {
    Thread thread = new Thread(() -> {
      try {
        String line;
        while ((line = reader.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (IOException ended) {
        // the process ended
      }
    });
    thread.setDaemon(true);
    thread.start();
  }

  List<String> out() {
    synchronized (out) {
      return List.copyOf(out);
    }
  }

  List<String> err() {
    synchronized (err) {
      return List.copyOf(err);
    }
  }

  /** Waits until a line of standard output ({@code stdout}) or standard error matches. */
  String awaitLine(boolean stdout, Predicate<String> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : stdout ? out() : err()) {
        if (match.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    throw new AssertionError("no matching line; stdout: " + out() + "\nstderr: " + err());
  }

  void signal(String name) throws Exception {
    // only this child, by its pid
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the gateway did not exit; stderr: " + err());
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
