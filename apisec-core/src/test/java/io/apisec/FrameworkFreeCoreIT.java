package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that the build refuses a framework dependency in the core: a copy of the core's POM with
 * one banned dependency added must fail the enforcer, naming the rule.
 */
class FrameworkFreeCoreIT {
  @TempDir Path dir;

  @Test
  void addingANettyDependencyToTheCoreFailsTheBuild() throws Exception {
    assertThat(build("<dependency><groupId>io.netty</groupId><artifactId>netty-buffer</artifactId></dependency>"))
        .satisfies(r -> {
          assertThat(r.exitCode).isNotZero();
          assertThat(r.output).contains("apisec-core must not depend on Servlet, Vert.x, Netty");
        });
  }

  @Test
  void addingTheServletApiToTheCoreFailsTheBuild() throws Exception {
    assertThat(build("<dependency><groupId>jakarta.servlet</groupId><artifactId>jakarta.servlet-api</artifactId></dependency>").exitCode)
        .isNotZero();
  }

  @Test
  void theCorePomAsItIsPassesTheSameCheck() throws Exception {
    Result result = build("");
    assertThat(result.exitCode).as(result.output).isZero();
  }

  private record Result(int exitCode, String output) {}

  private Result build(String extraDependency) throws IOException, InterruptedException {
    Path core = Path.of(System.getProperty("apisec.core.dir", "")).toAbsolutePath();
    String pom = Files.readString(core.resolve("pom.xml"), StandardCharsets.UTF_8)
        .replace("<parent>", "<!-- copy -->\n  <parent>")
        .replace("<version>0.1.0-SNAPSHOT</version></parent>",
            "<version>0.1.0-SNAPSHOT</version><relativePath>" + dir.toAbsolutePath().relativize(core.getParent().resolve("pom.xml"))
                + "</relativePath></parent>")
        .replace("<dependencies>", "<dependencies>\n    " + extraDependency);
    Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
    String maven = System.getProperty("maven.home", "");
    String executable = maven.isEmpty() ? "mvn" : Path.of(maven, "bin", "mvn").toString();
    Path log = dir.resolve("build.log");
    Process process = new ProcessBuilder(List.of(executable, "-B", "-f", dir.resolve("pom.xml").toString(), "validate"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("maven did not finish in 5 minutes");
    }
    return new Result(process.exitValue(), Files.readString(log));
  }
}
