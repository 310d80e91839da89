package io.apisec.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzzes the configuration loader with arbitrary YAML and JSON text. Property: a file either loads
 * into a configuration or is refused with a {@link ConfigException} that names where; no other
 * exception ever escapes.
 */
class ConfigLoaderFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void anyTextLoadsOrIsRefusedWithAConfigException(FuzzedDataProvider data) {
    boolean json = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    try {
      ApiSecurityConfig config = ConfigLoader.parse(text, json, Path.of("/nonexistent-base"), java.util.Set.of()).config();
      assertThat(config.routes()).isNotNull();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith("Invalid configuration");
    }
  }
}
