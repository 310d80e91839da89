package io.apisec.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Format;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Holds a {@link NetworkntVerdictFormat} to networknt's own verdicts over generated values. */
final class NetworkntVerdicts {
  private NetworkntVerdicts() {}

  /**
   * Asserts that {@code ours} and {@code networknt} agree on {@code count} values, and that the
   * values reached every branch at least {@code eachBranch} times: accepted without networknt,
   * accepted by networknt alone, and refused.
   */
  static void assertSameVerdicts(NetworkntVerdictFormat ours, Format networknt, Supplier<String> values,
      int count, int eachBranch) {
    int acceptedHere = 0;
    int acceptedByNetworkntAlone = 0;
    int refused = 0;
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String value = values.get();
      boolean theirs = networknt.matches(null, value);
      if (ours.matches(null, value) != theirs) {
        disagreements.add(value + " (networknt: " + theirs + ")");
      }
      if (ours.acceptsWithoutNetworknt(value)) {
        acceptedHere++;
      } else if (theirs) {
        acceptedByNetworkntAlone++;
      } else {
        refused++;
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(acceptedHere).as("accepted without networknt").isGreaterThan(eachBranch);
    assertThat(acceptedByNetworkntAlone).as("accepted by networknt alone").isGreaterThan(eachBranch);
    assertThat(refused).as("refused").isGreaterThan(eachBranch);
  }
}
