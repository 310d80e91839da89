package io.apisec.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.regex.RegularExpression;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class ReusedMatcherRegularExpressionsTest {
  private final ReusedMatcherRegularExpressions factory = ReusedMatcherRegularExpressions.INSTANCE;

  @Test
  void aPatternMatchesAnywhereUnlessAnchoredAsJsonSchemaSays() {
    RegularExpression unanchored = factory.getRegularExpression("[0-9]{3}");
    RegularExpression anchored = factory.getRegularExpression("^c-[0-9]{6}$");
    assertThat(unanchored.matches("abc123def")).isTrue();
    assertThat(unanchored.matches("ab12")).isFalse();
    assertThat(anchored.matches("c-004211")).isTrue();
    assertThat(anchored.matches("xc-004211")).isFalse();
    assertThat(anchored.matches("c-0042111")).isFalse();
  }

  @Test
  void oneExpressionAnswersEachStringOnItsOwnWhenReusedOnOneThread() {
    RegularExpression sku = factory.getRegularExpression("^[A-Z]{3}-[0-9]{4}$");
    assertThat(List.of("ABC-1234", "abc-1234", "XYZ-0000", "", "ABC-12345"))
        .extracting(sku::matches).containsExactly(true, false, true, false, false);
  }

  @Test
  void anInvalidPatternFailsWhenCompiled() {
    assertThatThrownBy(() -> factory.getRegularExpression("([a-z]")).isInstanceOf(PatternSyntaxException.class);
  }

  @Test
  void threadsSharingAnExpressionNeverSeeEachOthersStrings() throws Exception {
    RegularExpression digits = factory.getRegularExpression("^[0-9]+$");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        wrong.add(pool.submit(() -> {
          int mistakes = 0;
          for (int i = 0; i < 20_000; i++) {
            boolean numeric = (i + seed) % 2 == 0;
            String value = numeric ? Integer.toString(i) : "x" + i;
            if (digits.matches(value) != numeric) {
              mistakes++;
            }
          }
          return mistakes;
        }));
      }
      for (Future<Integer> f : wrong) {
        assertThat(f.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
