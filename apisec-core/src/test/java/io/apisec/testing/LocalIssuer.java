package io.apisec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A token issuer on a free loopback port standing in for the identity provider that the examples' bundled
 * {@code apisec.yaml} names, and that configuration pointed at it.
 */
public final class LocalIssuer implements AutoCloseable {
  /** The issuer URL of the bundled configuration, replaced by this issuer's. */
  private static final String BUNDLED_ISSUER = "http://127.0.0.1:8180/issuer";

  private final TestIssuer issuer = TestIssuer.start(Clock.systemUTC());
  private final TestKey key = TestKey.rsa("example-key");

  public LocalIssuer() {
    issuer.publish(key);
  }

  /** The bundled configuration (a class-path resource), trusting this issuer. */
  public String bundledConfig(String resource) {
    try (InputStream in = LocalIssuer.class.getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!text.contains(BUNDLED_ISSUER)) {
        throw new AssertionError(resource + " no longer names " + BUNDLED_ISSUER);
      }
      return text.replace(BUNDLED_ISSUER, issuer.issuer());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #bundledConfig} written to a file in {@code directory}. */
  public Path bundledConfigFile(String resource, Path directory) throws IOException {
    return Files.writeString(directory.resolve("apisec.yaml"), bundledConfig(resource));
  }

  /** A valid RS256 token for audience {@code api} with these scopes. */
  public String token(String scope) {
    return issuer.token(key).claim("scope", scope).sign();
  }

  @Override
  public void close() {
    issuer.close();
  }
}
