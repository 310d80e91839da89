package io.apisec.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar apisec-standalone.jar} with no arguments, followed as a new user would: every
 * printed curl command, run by curl itself, gives the status printed beside it.
 */
class DemoIT {
  private static final Pattern STEP = Pattern.compile("^# (.*) -> (\\d{3})$");

  @Test
  void printedCurlCommandsGiveThePromisedStatusesAndSigtermStopsTheDemo() throws Exception {
    try (GatewayProcess demo = new GatewayProcess()) {
      demo.awaitLine(true, line -> line.startsWith("Stop with"), Duration.ofSeconds(60));
      List<String> out = demo.out();
      List<int[]> checked = new ArrayList<>();
      TreeSet<Integer> shown = new TreeSet<>();
      TreeSet<Integer> notShown = new TreeSet<>();
      for (int i = 0; i < out.size(); i++) {
        Matcher step = STEP.matcher(out.get(i));
        if (step.matches()) {
          int promised = Integer.parseInt(step.group(2));
          String command = out.get(i + 1);
          List<String> result = curl(command);
          assertThat(result).as("output of: %s", command).isNotEmpty();
          int status = Integer.parseInt(result.get(result.size() - 1).trim());
          assertThat(status).as("status of: %s", command).isEqualTo(promised);
          shown.add(promised);
          checked.add(new int[] {promised, status});
        }
        Matcher missing = Pattern.compile("^# Not shown: .*the (\\d{3}) step.*").matcher(out.get(i));
        if (missing.matches()) {
          notShown.add(Integer.parseInt(missing.group(1)));
        }
      }
      // the four promised statuses, each shown and working, none missing
      assertThat(shown).containsExactly(200, 400, 401, 429);
      assertThat(notShown).isEmpty();
      assertThat(out).noneMatch(line -> line.startsWith("# Not shown"));
      assertThat(checked).isNotEmpty();

      demo.signal("TERM");
      assertThat(demo.awaitExit(Duration.ofSeconds(20))).isZero();
    }
  }

  private static List<String> curl(String command) throws Exception {
    assertThat(command).startsWith(command.startsWith("for ") ? "for " : "curl ");
    Process bash = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as("curl exit status; output: %s", output).isZero();
    return output.lines().filter(line -> !line.isBlank()).toList();
  }
}
