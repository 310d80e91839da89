package io.apisec.standalone;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code token}: mints a development JWT signed by a local EC key. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"Mint a development JWT (ES256) signed by a local key; prints the token.",
        "The key file is created when missing; --jwks-out writes its public JWKS for the gateway to trust."})
final class TokenCommand implements Callable<Integer> {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h|d)");

  @Spec
  private CommandSpec spec;

  @Option(names = "--key", paramLabel = "FILE", defaultValue = "apisec-dev-key.json",
      description = "Private EC JWK to sign with, created when missing (default: ${DEFAULT-VALUE}).")
  private Path key;

  @Option(names = "--jwks-out", paramLabel = "FILE", description = "Also write the public JWKS here.")
  private Path jwksOut;

  @Option(names = "--iss", defaultValue = "https://dev.apisec.local/", description = "Issuer (default: ${DEFAULT-VALUE}).")
  private String issuer;

  @Option(names = "--sub", defaultValue = "dev-user", description = "Subject (default: ${DEFAULT-VALUE}).")
  private String subject;

  @Option(names = "--aud", defaultValue = "api", split = ",", description = "Audience(s) (default: ${DEFAULT-VALUE}).")
  private List<String> audiences = new ArrayList<>();

  @Option(names = "--scope", defaultValue = "", description = "Space-separated scopes.")
  private String scope;

  @Option(names = "--ttl", defaultValue = "1h", description = "Lifetime such as 30s, 5m, 1h, 1d (default: ${DEFAULT-VALUE}).")
  private String ttl;

  @Option(names = "--claim", paramLabel = "NAME=VALUE", description = "A further claim (repeatable); numbers and true/false keep their type.")
  private Map<String, String> claims = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Matcher m = DURATION.matcher(ttl);
    if (!m.matches()) {
      spec.commandLine().getErr().println("--ttl: expected a duration such as 30s, 5m, 1h or 1d, found '" + ttl + "'");
      return 1;
    }
    long amount = Long.parseLong(m.group(1));
    Duration lifetime = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    ECKey signing = DevTokens.keyFile(key);
    if (jwksOut != null) {
      Files.writeString(jwksOut, DevTokens.jwks(signing), StandardCharsets.UTF_8);
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    claims.forEach((name, value) -> extra.put(name, typed(value)));
    spec.commandLine().getOut().println(
        DevTokens.mint(signing, issuer, subject, audiences, scope, lifetime, extra, Instant.now()));
    return 0;
  }

  private static Object typed(String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.valueOf(value);
    }
    if (value.matches("-?\\d{1,18}")) {
      return Long.valueOf(value);
    }
    return value;
  }
}
