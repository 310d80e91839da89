package io.apisec.standalone;

import io.apisec.Route;
import io.apisec.config.ConfigException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check-config FILE}: validates a configuration completely, TLS files included, without serving it. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a configuration file (keys, values, routes, TLS files) without serving it.")
final class CheckConfigCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The YAML or JSON configuration.")
  private Path file;

  @Override
  public Integer call() {
    Gateway.Loaded loaded;
    try {
      loaded = Gateway.load(file, new Metrics());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(file + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.getMessage());
      return Main.BAD_CONFIG;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(file + ": " + e.getMessage());
      return Main.BAD_CONFIG;
    }
    try {
      GatewayConfig gateway = loaded.config();
      var out = spec.commandLine().getOut();
      out.println(file + ": OK");
      if (gateway.https() != null) {
        out.println("  https  " + gateway.https().host() + ":" + gateway.https().port() + "  " + gateway.https().protocols()
            + "  client-auth " + gateway.https().clientAuth().name().toLowerCase(java.util.Locale.ROOT)
            + "  certificate " + loaded.tls().chain().get(0).getSubjectX500Principal().getName()
            + " (expires " + loaded.tls().chain().get(0).getNotAfter().toInstant() + ")");
      }
      if (gateway.http() != null) {
        out.println("  http   " + gateway.http().host() + ":" + gateway.http().port());
      }
      out.println("  upstream " + gateway.upstream().uri());
      out.println("  admin  " + gateway.admin().host() + ":" + gateway.admin().port());
      for (Route route : loaded.security().config().routes()) {
        out.println("  route  " + route.name() + "  auth " + route.auth().configName());
      }
      return 0;
    } finally {
      loaded.security().close();
    }
  }
}
