package io.apisec.standalone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code certs --out DIR}: a development CA with server and client certificates as PEM files. */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = "Create a development CA, a server certificate (localhost, 127.0.0.1, ::1) and a client certificate as PEM files.")
final class CertsCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write the files into.")
  private Path out;

  @Option(names = "--client-name", paramLabel = "CN", defaultValue = "dev-client",
      description = "Common name of the client certificate (default: ${DEFAULT-VALUE}).")
  private String clientName;

  @Option(names = "--days", paramLabel = "N", defaultValue = "30", description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private int days;

  @Override
  public Integer call() {
    if (days <= 0) {
      spec.commandLine().getErr().println("--days must be positive");
      return 1;
    }
    DevPki.write(out, clientName, Duration.ofDays(days));
    var printer = spec.commandLine().getOut();
    printer.println("Wrote development certificates to " + out.toAbsolutePath() + ":");
    printer.println("  " + DevPki.CA + ", " + DevPki.CA_KEY + "        the CA (trust it in clients; use it as client-ca)");
    printer.println("  " + DevPki.SERVER + ", " + DevPki.SERVER_KEY + "  the server (localhost, 127.0.0.1, ::1)");
    printer.println("  " + DevPki.CLIENT + ", " + DevPki.CLIENT_KEY + "  the client (CN=" + clientName + ")");
    return 0;
  }
}
