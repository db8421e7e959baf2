package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule unit-test suite (src/test/resources/promtool-suite: every function and operator,
 * recording and alerting rules, templates) run through the real {@code promtool test rules}
 * (Debian's prometheus) and through {@code tillwatch rules test}: the same verdict for every file.
 * Files named {@code pass_*} must pass, {@code fail_*} must fail, in both.
 */
class PromtoolSuiteIT {
  private static final Path SUITE = Path.of("src", "test", "resources", "promtool-suite");

  private static boolean promtoolPasses(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("promtool", "test", "rules", file.getFileName().toString())
            .directory(file.getParent().toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool hung on " + file);
    }
    if (p.exitValue() != 0 && p.exitValue() != 1) {
      throw new IllegalStateException("promtool exit " + p.exitValue() + ": " + out);
    }
    return p.exitValue() == 0;
  }

  private static List<String> ours(Path file) {
    try {
      return RuleTests.run(new RuleTestFileLoader(java.nio.file.Files::readString).load(file));
    } catch (ConfigException e) {
      return List.of(e.getMessage());
    }
  }

  @Test
  void tillwatchAndPromtoolReachTheSameVerdictOnEveryFile() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(SUITE)) {
      files =
          s.filter(f -> f.getFileName().toString().matches("(pass|fail)_.*\\.yml"))
              .sorted()
              .toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(40);
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      boolean shouldPass = f.getFileName().toString().startsWith("pass_");
      boolean theirs = promtoolPasses(f);
      List<String> failures = ours(f);
      boolean mine = failures.isEmpty();
      if (theirs != shouldPass) {
        problems.add(f + ": promtool " + (theirs ? "passes" : "fails") + " it");
      }
      if (mine != theirs) {
        problems.add(
            f
                + ": promtool "
                + (theirs ? "passes" : "fails")
                + ", tillwatch "
                + (mine ? "passes" : "fails: " + String.join("\n", failures)));
      }
    }
    assertThat(problems).as(String.join("\n", problems)).isEmpty();
  }
}
