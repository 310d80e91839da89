package io.apisec.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java snippets of the root README's Servlet, Vert.x and Netty ways of use are copied from the
 * examples, which compile and are smoke-tested: each snippet's lines (indentation aside) appear, in
 * order and together, in one example source file.
 */
class ReadmeSnippetsTest {
  private static final Path EXAMPLES = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaSnippetOfTheFrameworkWaysOfUseIsCopiedFromAnExample() throws IOException {
    String readme = Files.readString(EXAMPLES.resolve("../README.md"));
    String section = readme.substring(readme.indexOf("### 2. Servlet filter"), readme.indexOf("### 4. Standalone gateway"));
    List<List<String>> snippets = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(section);
    while (block.find()) {
      snippets.add(lines(block.group(1)));
    }
    assertThat(snippets).hasSizeGreaterThanOrEqualTo(4);

    List<List<String>> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
          .collect(Collectors.toList())) {
        sources.add(lines(Files.readString(file)));
      }
    }
    for (List<String> snippet : snippets) {
      assertThat(sources.stream().anyMatch(source -> contains(source, snippet)))
          .as("README snippet found in an example source:%n%s", String.join("\n", snippet))
          .isTrue();
    }
  }

  private static List<String> lines(String text) {
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toList());
  }

  private static boolean contains(List<String> source, List<String> snippet) {
    return java.util.Collections.indexOfSubList(source, snippet) >= 0;
  }
}
