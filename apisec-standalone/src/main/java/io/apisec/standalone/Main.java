package io.apisec.standalone;

import io.apisec.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@code java -jar apisec-standalone.jar}: with no arguments a self-contained
 * demo on loopback; {@code run --config FILE} (or just {@code --config FILE}) serves a
 * configuration; operator subcommands check a configuration, create development certificates,
 * mint and inspect tokens.
 */
@Command(
    name = "apisec-standalone",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "The apisec gateway: TLS and mTLS termination, JWT, JSON Schema and rate limits in front of one upstream.",
        "With no arguments it starts a self-contained demo on loopback and prints curl commands to try."},
    subcommands = {
        Main.Run.class, CheckConfigCommand.class, CertsCommand.class, TokenCommand.class,
        InspectTokenCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  /** Exit status for a configuration that cannot be used. */
  static final int BAD_CONFIG = 2;

  @Option(names = "--config", paramLabel = "FILE", description = "Serve this configuration (same as: run --config FILE).")
  private Path config;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  static int execute(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    if (config != null) {
      return serve(config);
    }
    return Demo.run();
  }

  /** Serves {@code file} until SIGTERM or SIGINT; reloads on SIGHUP and when the file changes. */
  static int serve(Path file) {
    Log.install();
    Gateway gateway;
    try {
      gateway = Gateway.start(file);
    } catch (ConfigException e) {
      Log.error("configuration refused", "file", file.toString(), "key", e.key(), "line", e.line(), "error", e.getMessage());
      return BAD_CONFIG;
    } catch (IllegalArgumentException e) {
      Log.error("configuration refused", "file", file.toString(), "error", e.getMessage());
      return BAD_CONFIG;
    }
    return runUntilStopped(gateway);
  }

  static int runUntilStopped(Gateway gateway) {
    CountDownLatch stopped = new CountDownLatch(1);
    Duration drain = gateway.current().config.drainTimeout();
    Runnable stop = () -> {
      gateway.drainAndStop(drain);
      stopped.countDown();
    };
    boolean hup = Signals.on("HUP", () -> gateway.reload("sighup"));
    boolean term = Signals.on("TERM", stop);
    Signals.on("INT", stop);
    Log.info("started", "pid", ProcessHandle.current().pid(), "reloadOnSighup", hup, "drainOnSigterm", term,
        "version", Version.text());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Log.info("stopped");
    return 0;
  }

  /** {@code run --config FILE}: serve a configuration. */
  @Command(name = "run", mixinStandardHelpOptions = true, description = "Serve a configuration file (the default command).")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The YAML or JSON configuration.")
    private Path config;

    @Override
    public Integer call() {
      return serve(config);
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    static String text() {
      String version = Main.class.getPackage().getImplementationVersion();
      return version == null ? "development build" : version;
    }

    @Override
    public String[] getVersion() {
      return new String[] {
          "apisec-standalone " + text(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
          "TLS engine: " + TlsMaterial.engineName(TlsMaterial.engine())};
    }
  }

  static PrintWriter out(CommandLine.Model.CommandSpec spec) {
    return spec.commandLine().getOut();
  }
}
