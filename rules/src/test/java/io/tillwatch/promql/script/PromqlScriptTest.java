package io.tillwatch.promql.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PromqlException;
import io.tillwatch.promql.SeriesNotation;
import io.tillwatch.promql.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The engine's own test scripts (src/test/resources/promql-scripts), run on every build without
 * promtool; {@code PromqlScriptOracleIT} checks the same scripts against the real promtool.
 */
class PromqlScriptTest {
  static final Path SCRIPTS = Path.of("src", "test", "resources", "promql-scripts");

  static List<PromqlScript> scripts() throws IOException {
    List<PromqlScript> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(SCRIPTS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".test")).sorted().toList()) {
        out.add(PromqlScript.parse(f.getFileName().toString(), Files.readString(f)));
      }
    }
    return out;
  }

  /** A series' labels in Prometheus notation ({@code name{a="b"}}, {@code {}}). */
  static Labels labels(String text) {
    if (text.strip().equals("{}")) {
      return Labels.empty();
    }
    Expr e = Parser.parse(text.strip());
    if (!(e instanceof Expr.VectorSelector vs)) {
      throw new IllegalArgumentException("not a series: " + text);
    }
    Map<String, String> m = new TreeMap<>();
    for (Matcher matcher : vs.matchers()) {
      m.put(matcher.name(), matcher.value());
    }
    return Labels.of(m);
  }

  static MemorySource input(PromqlScript.Section s) {
    MemorySource data = new MemorySource();
    for (PromqlScript.Series series : s.series()) {
      Labels l = labels(series.labels());
      List<Double> values = SeriesNotation.expand(series.values());
      for (int k = 0; k < values.size(); k++) {
        if (values.get(k) != null) {
          data.append(l, k * s.stepMillis(), values.get(k));
        }
      }
    }
    return data;
  }

  /** {@code labels value}, sorted: what an answer is compared as. */
  static List<String> canonical(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      int split = line.lastIndexOf(' ');
      double v = parseValue(line.substring(split + 1));
      out.add(labels(line.substring(0, split)) + " " + Double.doubleToLongBits(v == 0 ? 0.0 : v));
    }
    out.sort(String::compareTo);
    return out;
  }

  static double parseValue(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "Inf", "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  private static List<String> answer(MemorySource data, PromqlScript.Eval e) {
    Value v = Evaluator.instant(data, e.atMillis()).eval(Parser.parse(e.expr()), e.atMillis());
    List<String> lines = new ArrayList<>();
    switch (v) {
      case Value.Scalar s -> lines.add("{} " + s.value());
      case Value.Vector vec -> vec.samples().forEach(x -> lines.add(x.labels() + " " + x.value()));
      default -> throw new IllegalStateException("not an instant result: " + e.expr());
    }
    return canonical(lines.stream().map(l -> l.startsWith("{") ? l : l).toList());
  }

  @TestFactory
  Stream<DynamicNode> everyScriptAgrees() throws IOException {
    List<DynamicNode> files = new ArrayList<>();
    for (PromqlScript script : scripts()) {
      List<DynamicNode> cases = new ArrayList<>();
      for (PromqlScript.Section section : script.sections()) {
        MemorySource data = input(section);
        for (PromqlScript.Eval e : section.evals()) {
          String name = script.name() + ":" + e.line() + " " + e.expr();
          cases.add(
              DynamicTest.dynamicTest(
                  name,
                  () -> {
                    if (e.expectError()) {
                      assertThatThrownBy(() -> answer(data, e)).isInstanceOf(PromqlException.class);
                    } else {
                      assertThat(answer(data, e)).as(name).isEqualTo(canonical(e.expected()));
                    }
                  }));
        }
      }
      files.add(DynamicContainer.dynamicContainer(script.name(), cases));
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    return files.stream();
  }
}
