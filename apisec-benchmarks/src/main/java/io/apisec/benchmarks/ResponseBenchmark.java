package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.Headers;
import io.apisec.Identity;
import io.apisec.ResponseCheck;
import io.apisec.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Response validation of a 1 KB JSON body against an OpenAPI 3.1 response schema in strict mode
 * (route lookup, parse within limits, schema, undeclared-property check), as an adapter calls it
 * after the upstream answered: a valid body, and one leaking an undeclared field (report-only, so
 * the violation is built and published but nothing is refused).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class ResponseBenchmark {
  private static final String API = """
      openapi: 3.1.0
      info: {title: users, version: '1'}
      paths:
        /users/{id}:
          get:
            responses:
              '200':
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/User'}
      components:
        schemas:
          User:
            type: object
            required: [id, name, email]
            properties:
              id: {type: integer}
              name: {type: string, maxLength: 100}
              email: {type: string, format: email}
              roles: {type: array, items: {type: string}}
              address:
                type: object
                properties:
                  street: {type: string}
                  city: {type: string}
                  country: {type: string, minLength: 2, maxLength: 2}
              orders:
                type: array
                items:
                  type: object
                  properties:
                    id: {type: string}
                    total: {type: number, minimum: 0}
                    status: {type: string, enum: [open, paid, shipped]}
      """;

  @Param({"valid", "leak"})
  String body;

  private Path dir;
  private ApiSecurity security;
  private byte[] bytes;
  private final Headers headers = Headers.of("Content-Type", "application/json");

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("apisec-response-bench");
    Files.writeString(dir.resolve("users.yaml"), API);
    security = ApiSecurity.builder(ConfigLoader.parseYaml(
            "openapi: {document: users.yaml, auth: none, response-validation: report-only}\n", dir))
        .auditToSystemLogger(false)
        .build();
    StringBuilder json = new StringBuilder("{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\","
        + "\"roles\":[\"reader\",\"writer\"],\"address\":{\"street\":\"12 Analytical Row\",\"city\":\"London\",\"country\":\"GB\"},"
        + (body.equals("leak") ? "\"passwordHash\":\"$2b$12$abcdefghijklmnopqrstuv\"," : "")
        + "\"orders\":[");
    for (int i = 0; json.length() < 1000; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":\"ord-").append(1000 + i).append("\",\"total\":").append(19.5 + i)
          .append(",\"status\":\"paid\"}");
    }
    bytes = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    boolean valid = check().valid();
    if (valid != body.equals("valid")) {
      throw new IllegalStateException("the " + body + " body was judged " + (valid ? "valid" : "invalid"));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    security.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (UncheckedIOException e) {
      // best effort
    }
  }

  @Benchmark
  public ResponseCheck.Verdict check() {
    return security.responseCheck("GET", "/users/42", Identity.ANONYMOUS, "bench").orElseThrow().check(200, headers, bytes);
  }
}
