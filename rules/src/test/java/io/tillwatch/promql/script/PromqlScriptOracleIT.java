package io.tillwatch.promql.script;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Durations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's test scripts are facts, not our opinions: each is turned into a promtool unit-test
 * file (sections → test groups, evaluations → {@code promql_expr_test}) and the real {@code
 * promtool test rules} (Prometheus 2.42) must pass it. Expected errors are checked by the unit test
 * only (promtool's format has no such case).
 */
class PromqlScriptOracleIT {
  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String value(String v) {
    return switch (v) {
      case "NaN" -> ".nan"; // YAML's spelling
      case "Inf", "+Inf" -> ".inf";
      case "-Inf" -> "-.inf";
      default -> v;
    };
  }

  static String promtoolFile(PromqlScript script) {
    StringBuilder b = new StringBuilder("evaluation_interval: 1m\ntests:\n");
    for (PromqlScript.Section s : script.sections()) {
      if (s.evals().stream().allMatch(PromqlScript.Eval::expectError)) {
        continue;
      }
      b.append("  - interval: ")
          .append(Durations.format(Duration.ofMillis(Math.max(s.stepMillis(), 1000))))
          .append("\n    input_series:\n");
      for (PromqlScript.Series series : s.series()) {
        b.append("      - series: ").append(quote(series.labels())).append('\n');
        b.append("        values: ").append(quote(series.values())).append('\n');
      }
      if (s.series().isEmpty()) {
        b.append("      []\n");
      }
      b.append("    promql_expr_test:\n");
      for (PromqlScript.Eval e : s.evals()) {
        if (e.expectError() || e.expected().stream().anyMatch(l -> l.endsWith(" NaN"))) {
          continue;
        }
        b.append("      - expr: ").append(quote(e.expr())).append('\n');
        b.append("        eval_time: ").append(e.atText()).append('\n');
        if (e.expected().isEmpty()) {
          b.append("        exp_samples: []\n");
          continue;
        }
        b.append("        exp_samples:\n");
        for (String line : e.expected()) {
          int split = line.lastIndexOf(' ');
          String labels = line.substring(0, split).strip();
          b.append("          - ");
          if (!labels.equals("{}")) {
            b.append("labels: ").append(quote(labels)).append("\n            ");
          }
          b.append("value: ").append(value(line.substring(split + 1))).append('\n');
        }
      }
    }
    return b.toString();
  }

  @Test
  void promtoolPassesEveryScript(@TempDir Path dir) throws Exception {
    List<String> failures = new ArrayList<>();
    for (PromqlScript script : PromqlScriptTest.scripts()) {
      Path f = dir.resolve(script.name() + ".yml");
      Files.writeString(f, promtoolFile(script));
      Process p =
          new ProcessBuilder("promtool", "test", "rules", f.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      if (p.exitValue() != 0) {
        failures.add(script.name() + ":\n" + out);
      }
    }
    assertThat(failures).isEmpty();
  }
}
