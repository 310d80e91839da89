package io.apisec.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The budget checker over a small JMH result file: it passes good figures and names every broken one. */
class BudgetCheckTest {
  @TempDir
  Path dir;

  private String sample() throws IOException {
    try (InputStream in = BudgetCheckTest.class.getResourceAsStream("/sample-results.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private record Outcome(int status, String report) {}

  private Outcome check(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = BudgetCheck.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
  }

  private Path checkedInBudgets() {
    Path file = Path.of("budgets.properties");
    assertThat(file).as("apisec-benchmarks/budgets.properties (tests run in the module directory)").isRegularFile();
    return file;
  }

  @Test
  void figuresWithinEveryBudgetPassWithExitZero() throws IOException {
    Outcome outcome = check(write("results.json", sample()).toString(), checkedInBudgets().toString());
    assertThat(outcome.report()).contains("budget check passed").doesNotContain("FAIL").doesNotContain("MISSING");
    assertThat(outcome.report()).contains("PASS    t1-p50").contains("PASS    t2").contains("PASS    t3")
        .contains("PASS    requirement");
    assertThat(outcome.status()).isZero();
  }

  @Test
  void pipelineP99OverTheTenMillisecondRequirementFailsNamingBenchmarkAndFigure() throws IOException {
    // the all-cores pipeline's p99 goes from 420.7 us to 12.5 ms
    String broken = sample().replace("420.7", "12500.0");
    Outcome outcome = check(write("results.json", broken).toString(), checkedInBudgets().toString());
    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.report())
        .contains("FAIL    requirement")
        .contains("PipelineBenchmark.pipelineAllCores[mode=sample,threads=2,alg=RS256,token=cold] p99 = 12.500 ms")
        .contains("max 10.000 ms")
        .contains("budget check FAILED: 1 figure(s)");
  }

  @Test
  void theMachinesOwnTailIsReportedBesideTheBudgetsWithoutDecidingThem() throws IOException {
    Outcome outcome = check(write("results.json", sample()).toString(), checkedInBudgets().toString());
    assertThat(outcome.report()).contains("NOTE    machine tail (fixed work, not apisec): NoiseFloorBenchmark.fixedWorkAllocating")
        .contains("p50 = 15.60 us, p99 = 31.20 us, p99/p50 = 2.00");
    assertThat(outcome.status()).isZero();
  }

  @Test
  void repeatedTokenP99Over25MicrosecondsBreaksT1() throws IOException {
    Outcome outcome = check(write("results.json", sample().replace("21.7", "25.3")).toString(),
        checkedInBudgets().toString());
    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.report()).contains("FAIL    t1-p99").contains("p99 = 25.30 us; max 25.00 us")
        .contains("PASS    t1-p50");
  }

  @Test
  void ratioBudgetDividesByTheSumOfBaselinesFromTheSameFile() throws IOException {
    // 46.2 + 7.5 = 53.7 us; 1.15 x 53.7 = 61.755 us; the cold pipeline at 57.9 passes, at 61.9 fails
    Outcome passing = check(write("results.json", sample()).toString(), checkedInBudgets().toString());
    assertThat(passing.report()).contains("PASS    t2").contains("ratio 1.078, budget 1.15 x (46.20 us + 7.50 us) = 61.75 us");
    Outcome failing = check(write("slow.json", sample().replace("57.9", "61.9")).toString(),
        checkedInBudgets().toString());
    assertThat(failing.status()).isEqualTo(1);
    assertThat(failing.report()).contains("FAIL    t2").contains("score = 61.90 us; ratio 1.153");
  }

  @Test
  void coldEs256Over200MicrosecondsBreaksT3() throws IOException {
    Outcome outcome = check(write("results.json", sample().replace("180.4", "790.0")).toString(),
        checkedInBudgets().toString());
    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.report()).contains("FAIL    t3").contains("JwtBenchmark.apisecStage[mode=avgt,threads=1,alg=ES256,token=cold]")
        .contains("score = 790.00 us; max 200.00 us");
  }

  @Test
  void aBudgetNothingMeasuredFailsUnlessMissingIsAllowed() throws IOException {
    Path results = write("results.json", sample());
    Path budgets = write("budgets.properties", """
        redis.select = RedisLimiterBenchmark.decision[threads=4,mode=thrpt]
        redis.min = 25000
        absent.select = AdapterBenchmark.netty*
        absent.max = 1ms
        """);
    Outcome strict = check(results.toString(), budgets.toString());
    assertThat(strict.status()).isEqualTo(1);
    assertThat(strict.report()).contains("MISSING absent").contains("AdapterBenchmark.netty*")
        .contains("PASS    redis").contains("score = 31200 ops/s; min 25000 ops/s");
    Outcome lenient = check(results.toString(), budgets.toString(), "--allow-missing");
    assertThat(lenient.status()).isZero();
    assertThat(lenient.report()).contains("SKIP    absent");
  }

  @Test
  void throughputUnderItsMinimumFails() throws IOException {
    Path budgets = write("budgets.properties", "t4.select = RedisLimiterBenchmark.decision\nt4.min = 40000\n");
    Outcome outcome = check(write("results.json", sample()).toString(), budgets.toString());
    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.report()).contains("FAIL    t4");
  }

  @Test
  void unreadableInputsExitTwoWithTheReason() throws IOException {
    assertThat(check(dir.resolve("absent.json").toString()).status()).isEqualTo(2);
    Outcome notJmh = check(write("object.json", "{\"benchmark\": 1}").toString(), checkedInBudgets().toString());
    assertThat(notJmh.status()).isEqualTo(2);
    assertThat(notJmh.report()).contains("not a JMH JSON result file");
    Outcome badBudget = check(write("results.json", sample()).toString(),
        write("bad.properties", "x.select = PipelineBenchmark.pipeline\n").toString());
    assertThat(badBudget.status()).isEqualTo(2);
    assertThat(badBudget.report()).contains("budget 'x' needs max, min, or max-ratio");
  }

  @Test
  void theBundledBudgetsAreTheCheckedInOnes() throws IOException {
    Outcome outcome = check(write("results.json", sample()).toString());
    assertThat(outcome.status()).isZero();
    List<String> ids = BudgetCheck.readBudgets(Files.newBufferedReader(checkedInBudgets())).stream()
        .map(BudgetCheck.Budget::id).toList();
    assertThat(ids).containsExactlyInAnyOrder("requirement", "t1-p50", "t1-p99", "t2", "t3");
    for (String id : ids) {
      assertThat(outcome.report()).contains("PASS    " + id);
    }
  }
}
