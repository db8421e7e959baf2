package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exp}, {@code ln}, {@code log2} and {@code log10} against the real Prometheus ({@code
 * promtool}) to the last bit, over hundreds of inputs: the whole range of {@code exp} (underflow to
 * subnormals, overflow), magnitudes from subnormal to 1e300 for the logarithms, powers of two and
 * values next to 1.
 */
class GoMathOracleIT {
  private static final List<String> FUNCTIONS = List.of("exp", "ln", "log2", "log10");

  @TempDir Path dir;

  private static List<Double> inputs() {
    Random r = new Random(20261201);
    List<Double> v = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      v.add(-750 + r.nextDouble() * 1460); // all of exp's range and past both ends
    }
    for (int i = 0; i < 60; i++) {
      v.add(r.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < 80; i++) {
      v.add(Math.pow(10, r.nextDouble() * 600 - 300));
    }
    for (int k = -1074; k <= 1023; k += 97) {
      v.add(Math.scalb(1.0, k)); // powers of two, subnormal ones included
    }
    for (int k = 1; k <= 5; k++) {
      v.add(Double.MIN_VALUE * (k * 12345));
      v.add(Math.nextUp(1.0) + k * Math.ulp(1.0));
      v.add(Math.nextDown(1.0) - k * Math.ulp(0.5));
    }
    for (int i = 0; i <= 20; i++) {
      v.add((double) i);
      v.add(-744.0 - i * 0.1); // where exp's results turn subnormal and then 0
      v.add(709.0 + i * 0.05); // where they overflow
    }
    return v;
  }

  @Test
  void everyResultIsPrometheusBitForBit() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    Assumptions.assumeTrue(
        Files.isExecutable(promtool) || System.getenv("CI") != null, "promtool not installed");
    List<Double> inputs = inputs();
    StringBuilder yaml = new StringBuilder();
    yaml.append("rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n");
    yaml.append("    input_series:\n");
    MemorySource ours = new MemorySource();
    for (int i = 0; i < inputs.size(); i++) {
      yaml.append("      - series: 'm{i=\"")
          .append(i)
          .append("\"}'\n        values: '")
          .append(inputs.get(i))
          .append("'\n");
      ours.add(
          Labels.of("__name__", "m", "i", Integer.toString(i)),
          new long[] {0},
          new double[] {inputs.get(i)});
    }
    yaml.append("    promql_expr_test:\n");
    for (String f : FUNCTIONS) {
      yaml.append("      - expr: '")
          .append(f)
          .append("(m)'\n        eval_time: 0m\n        exp_samples:\n")
          .append("          - labels: '{never=\"this\"}'\n            value: -12345\n");
    }
    Path file = dir.resolve("gomath.yml");
    Files.writeString(file, yaml);
    Process p =
        new ProcessBuilder(promtool.toString(), "test", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    Map<String, String> promtoolGot = PromtoolOracleIT.parseFailures(out);
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (String f : FUNCTIONS) {
      String got = promtoolGot.get(f + "(m)@0s");
      assertThat(got).as(out).isNotNull();
      Map<String, Double> expected = PromtoolOracleIT.parseSamples(got);
      Map<String, Double> actual = new TreeMap<>();
      Value v = Evaluator.instant(ours, 0).eval(Parser.parse(f + "(m)"), 0);
      for (Value.Sample s : ((Value.Vector) v).samples()) {
        actual.put(new TreeMap<>(s.labels().asMap()).toString(), s.value());
      }
      assertThat(actual.keySet()).isEqualTo(expected.keySet());
      for (String labels : expected.keySet()) {
        double a = expected.get(labels);
        double b = actual.get(labels);
        compared++;
        boolean same =
            Double.isNaN(a)
                ? Double.isNaN(b)
                : Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
        if (!same) {
          String i = labels.replaceAll(".*i=(\\d+).*", "$1");
          mismatches.add(
              f
                  + "("
                  + inputs.get(Integer.parseInt(i))
                  + "): prometheus "
                  + a
                  + ", tillwatch "
                  + b);
        }
      }
    }
    assertThat(compared).isEqualTo(FUNCTIONS.size() * inputs.size());
    assertThat(mismatches).isEmpty();
  }
}
