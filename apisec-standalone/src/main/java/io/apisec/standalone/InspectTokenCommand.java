package io.apisec.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ConfigException;
import io.apisec.config.ConfigLoader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code inspect-token TOKEN --config FILE}: decodes a token and explains, route by route, whether
 * the configured issuers accept it and why not, by running it through the configuration's own
 * pipeline (so the answer is exactly the gateway's).
 */
@Command(name = "inspect-token", mixinStandardHelpOptions = true,
    description = "Decode a JWT and explain why the configured issuers and routes accept or refuse it.")
final class InspectTokenCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec
  private CommandSpec spec;

  @Parameters(paramLabel = "TOKEN", description = "The token (compact JWS), with or without 'Bearer '.")
  private String token;

  @Option(names = "--config", paramLabel = "FILE", required = true, description = "The configuration whose issuers judge the token.")
  private Path config;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String compact = token.trim();
    if (compact.regionMatches(true, 0, "Bearer ", 0, 7)) {
      compact = compact.substring(7).trim();
    }
    String[] parts = compact.split("\\.", -1);
    if (parts.length != 3) {
      out.println("Not a compact JWS: expected three dot-separated parts, found " + parts.length + ".");
      return 1;
    }
    JsonNode header;
    JsonNode claims;
    try {
      header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IllegalArgumentException | java.io.IOException e) {
      out.println("The header or claims are not base64url-encoded JSON.");
      return 1;
    }
    out.println("Header:");
    out.println(JSON.writeValueAsString(header));
    out.println("Claims (signature not yet checked):");
    out.println(JSON.writeValueAsString(claims));
    explainTimes(out, claims);

    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.load(config, Set.of("gateway"));
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(config + ": " + e.getMessage());
      return Main.BAD_CONFIG;
    }
    boolean anyAccepted = false;
    boolean anyTokenRoute = false;
    try (ApiSecurity security = ApiSecurity.builder(loaded.config()).auditToSystemLogger(false).build()) {
      out.println("Verdict of this configuration, route by route:");
      for (Route route : loaded.config().routes()) {
        if (!route.auth().requiresToken()) {
          continue;
        }
        anyTokenRoute = true;
        Decision decision = security.evaluate(request(route, compact)).toCompletableFuture().get(15, TimeUnit.SECONDS);
        if (decision instanceof Decision.Allow) {
          anyAccepted = true;
          out.println("  " + route.name() + ": ACCEPTED");
          continue;
        }
        Decision.Deny deny = (Decision.Deny) decision;
        String stage = deny.stage() == null ? "" : deny.stage();
        if (stage.equals("jwt") || stage.equals("authz") || stage.equals("mtls")) {
          out.println("  " + route.name() + ": REFUSED " + deny.status() + " " + deny.reason().slug() + " — " + deny.detail());
        } else {
          anyAccepted = true;
          out.println("  " + route.name() + ": token ACCEPTED (the " + (stage.isEmpty() ? "pipeline" : stage)
              + " check then refused the bodiless test request: " + deny.reason().slug() + ")");
        }
      }
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(config + ": " + e.getMessage());
      return Main.BAD_CONFIG;
    }
    if (!anyTokenRoute) {
      out.println("  (no route of this configuration requires a token)");
      return 1;
    }
    return anyAccepted ? 0 : 1;
  }

  private static void explainTimes(PrintWriter out, JsonNode claims) {
    Instant now = Instant.now();
    if (claims.has("exp") && claims.get("exp").canConvertToLong()) {
      Instant exp = Instant.ofEpochSecond(claims.get("exp").asLong());
      out.println(exp.isAfter(now)
          ? "Expires " + exp + " (in " + human(Duration.between(now, exp)) + ")."
          : "EXPIRED " + exp + " (" + human(Duration.between(exp, now)) + " ago).");
    } else {
      out.println("No exp claim: every issuer refuses a token without one.");
    }
    if (claims.has("nbf") && claims.get("nbf").canConvertToLong()) {
      Instant nbf = Instant.ofEpochSecond(claims.get("nbf").asLong());
      if (nbf.isAfter(now)) {
        out.println("Not valid before " + nbf + " (in " + human(Duration.between(now, nbf)) + ").");
      }
    }
  }

  private static String human(Duration d) {
    long s = d.getSeconds();
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return (s / 60) + "m";
    }
    return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
  }

  /** A request the route matches, carrying the token, from loopback. */
  private static RequestView request(Route route, String token) {
    String method = route.methods().isEmpty() ? "GET" : route.methods().stream().sorted().findFirst().get();
    String path = route.pathTemplate().replaceAll("\\{[^}/]*}", "x").replace("/**", "/inspect");
    return RequestView.builder()
        .method(method)
        .target(path.isEmpty() ? "/" : path)
        .headers(Headers.of("Authorization", "Bearer " + token, "Host", "localhost"))
        .remoteAddress(new InetSocketAddress("127.0.0.1", 40000))
        .body(maxBytes -> java.util.concurrent.CompletableFuture.completedFuture("".getBytes(StandardCharsets.UTF_8)))
        .build();
  }
}
