package io.apisec.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.apisec.config.ApiSecurityConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonBodyParserTest {
  private final JsonBodyParser parser = new JsonBodyParser(ApiSecurityConfig.Payload.DEFAULTS);

  @Test
  void everyFractionOrExponentIsTheDoubleTheJdkReadsFromIt() {
    List<String> numbers = List.of("0.1", "0.30000000000000004", "1e-320", "4.9e-324", "2.4e-324",
        "2.2250738585072011e-308", "2.2250738585072014E-308", "1.7976931348623157e308", "1.7976931348623159e308",
        "1e400", "-0.0", "9007199254740993.0", "123456789012345678901234567890.5", "1E+2", "7.5e-1");
    Random random = new Random(7);
    StringBuilder body = new StringBuilder("[");
    List<String> all = new java.util.ArrayList<>(numbers);
    for (int i = 0; i < 2_000; i++) {
      // 17 significant digits and a random exponent: where a sloppy parser rounds the wrong way
      all.add(String.format("%d.%016de%d", 1 + random.nextInt(9), Math.abs(random.nextLong() % 10_000_000_000_000_000L),
          random.nextInt(600) - 300));
    }
    body.append(String.join(",", all)).append(']');
    JsonBodyParser.Result result = parser.parse(body.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(result.ok()).isTrue();
    JsonNode array = result.tree();
    assertThat(array.size()).isEqualTo(all.size());
    for (int i = 0; i < all.size(); i++) {
      assertThat(array.get(i).isDouble()).as(all.get(i)).isTrue();
      assertThat(Double.doubleToRawLongBits(array.get(i).doubleValue())).as(all.get(i))
          .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(all.get(i))));
    }
  }
}
