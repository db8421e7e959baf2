package io.tillwatch.rules;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.model.Tenant;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PromqlException;
import io.tillwatch.promql.SeriesNotation;
import io.tillwatch.promql.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runs promtool's rule unit tests ({@code promtool test rules}): input series in the expanding
 * notation, the rule groups evaluated every {@code evaluation_interval} from 0, then alert and
 * expression expectations checked, with promtool's verdicts.
 */
public final class RuleTests {
  /** A test file's content; rule files already loaded into groups. */
  public record TestFile(
      List<RuleGroup> groups,
      Duration evaluationInterval,
      List<String> groupEvalOrder,
      List<TestGroup> tests) {}

  public record TestGroup(
      String name,
      Optional<Duration> interval,
      List<InputSeries> inputSeries,
      List<AlertTest> alertTests,
      List<ExprTest> exprTests) {}

  public record InputSeries(String series, String values) {}

  public record AlertTest(Duration evalTime, String alertname, List<ExpAlert> expAlerts) {}

  public record ExpAlert(Map<String, String> labels, Map<String, String> annotations) {}

  public record ExprTest(String expr, Duration evalTime, List<ExpSample> expSamples) {}

  public record ExpSample(String labels, double value) {}

  private RuleTests() {}

  /** Runs every test group; the failures, empty when all pass. */
  public static List<String> run(TestFile file) {
    return run(file, id -> null);
  }

  /**
   * Runs every test group of {@code file}, with the estate's tenants for the rules' business fields
   * ({@code during}, {@code tenants}, {@code $tenant}); the failures, empty when all pass.
   */
  public static List<String> run(TestFile file, Function<String, Tenant> tenants) {
    List<String> failures = new ArrayList<>();
    for (TestGroup g : file.tests()) {
      try {
        failures.addAll(runGroup(file, g, tenants));
      } catch (PromqlException | IllegalArgumentException | IllegalStateException e) {
        failures.add((g.name() == null ? "" : g.name() + ": ") + e.getMessage());
      }
    }
    return failures;
  }

  private static List<RuleGroup> ordered(TestFile file) {
    if (file.groupEvalOrder().isEmpty()) {
      return file.groups();
    }
    Map<String, RuleGroup> byName = new LinkedHashMap<>();
    for (RuleGroup g : file.groups()) {
      byName.put(g.name(), g);
    }
    List<RuleGroup> out = new ArrayList<>();
    for (String name : file.groupEvalOrder()) {
      RuleGroup g = byName.remove(name);
      if (g == null) {
        throw new IllegalArgumentException("group \"" + name + "\" in group_eval_order not found");
      }
      out.add(g);
    }
    out.addAll(byName.values());
    return out;
  }

  private static List<String> runGroup(
      TestFile file, TestGroup g, Function<String, Tenant> tenants) {
    long maxEval = 0;
    for (AlertTest t : g.alertTests()) {
      maxEval = Math.max(maxEval, t.evalTime().toMillis());
    }
    for (ExprTest t : g.exprTests()) {
      maxEval = Math.max(maxEval, t.evalTime().toMillis());
    }
    // as promtool: input up to the last time a test looks at, rules evaluated up to it too
    MemorySource storage = new MemorySource();
    long step = g.interval().orElse(Duration.ofMinutes(1)).toMillis();
    for (InputSeries in : g.inputSeries()) {
      Labels labels = seriesLabels(in.series());
      List<Double> values = SeriesNotation.expand(in.values());
      for (int k = 0; k < values.size() && k * step <= maxEval; k++) {
        if (values.get(k) != null) {
          storage.append(labels, k * step, values.get(k));
        }
      }
    }
    // the same evaluator as the collector's, without its default tenant (promtool's semantics)
    List<GroupEvaluator> groups = new ArrayList<>();
    for (RuleGroup rg : ordered(file)) {
      groups.add(new GroupEvaluator(rg, tenants, Optional.empty()));
    }
    Map<Rule.Alerting, AlertState> states = new LinkedHashMap<>();
    groups.forEach(ev -> states.putAll(ev.alerts()));
    Map<Long, List<AlertTest>> alertTestsAt = new TreeMap<>();
    for (AlertTest t : g.alertTests()) {
      alertTestsAt.computeIfAbsent(t.evalTime().toMillis(), k -> new ArrayList<>()).add(t);
    }
    List<String> failures = new ArrayList<>();
    long interval = file.evaluationInterval().toMillis();
    for (long t = 0; t <= maxEval; t += interval) {
      for (GroupEvaluator ev : groups) {
        GroupEvaluator.Outcome outcome =
            ev.evaluate(
                storage, t, (series, time, value) -> storage.append(withName(series), time, value));
        // as promtool: a rule that fails while the test runs fails the test
        for (Map.Entry<Rule, String> e : outcome.errors().entrySet()) {
          failures.add(
              "rule: " + e.getKey().name() + ", time: " + goDuration(t) + ", err: " + e.getValue());
        }
      }
      // alert tests whose time falls in this step (promtool checks them here)
      for (Map.Entry<Long, List<AlertTest>> e : alertTestsAt.entrySet()) {
        if (e.getKey() >= t && e.getKey() < t + interval) {
          for (AlertTest at : e.getValue()) {
            failures.addAll(checkAlerts(at, states));
          }
        }
      }
    }
    for (ExprTest et : g.exprTests()) {
      failures.addAll(checkExpr(et, storage));
    }
    return failures;
  }

  private static List<String> checkAlerts(AlertTest at, Map<Rule.Alerting, AlertState> states) {
    List<String> got = new ArrayList<>();
    for (AlertState st : states.values()) {
      if (!st.rule().name().equals(at.alertname())) {
        continue;
      }
      for (AlertState.Alert a : st.alerts(AlertState.State.FIRING)) {
        got.add(describe(a.labels().asMap(), a.annotations()));
      }
    }
    List<String> exp = new ArrayList<>();
    for (ExpAlert e : at.expAlerts()) {
      Map<String, String> labels = new TreeMap<>(e.labels());
      labels.put("alertname", at.alertname());
      exp.add(describe(labels, e.annotations()));
    }
    got.sort(Comparator.naturalOrder());
    exp.sort(Comparator.naturalOrder());
    if (got.equals(exp)) {
      return List.of();
    }
    return List.of(
        "alertname: "
            + at.alertname()
            + ", time: "
            + at.evalTime()
            + ",\n    exp: "
            + exp
            + "\n    got: "
            + got);
  }

  private static String describe(Map<String, String> labels, Map<String, String> annotations) {
    return "Labels:" + new TreeMap<>(labels) + " Annotations:" + new TreeMap<>(annotations);
  }

  private static List<String> checkExpr(ExprTest et, MemorySource storage) {
    long t = et.evalTime().toMillis();
    Expr expr;
    List<Value.Sample> got;
    try {
      expr = Parser.parse(et.expr());
      got = samples(Evaluator.instant(storage, t).eval(expr, t), t);
    } catch (PromqlException e) {
      return List.of(
          "expr: \"" + et.expr() + "\", time: " + et.evalTime() + ", err: " + e.getMessage());
    }
    List<String> gotText = new ArrayList<>();
    for (Value.Sample s : got) {
      gotText.add(new TreeMap<>(s.labels().asMap()) + " " + s.value());
    }
    List<String> expText = new ArrayList<>();
    for (ExpSample e : et.expSamples()) {
      Labels l =
          e.labels() == null || e.labels().isBlank() ? Labels.empty() : seriesLabels(e.labels());
      expText.add(new TreeMap<>(l.asMap()) + " " + e.value());
    }
    gotText.sort(Comparator.naturalOrder());
    expText.sort(Comparator.naturalOrder());
    if (gotText.equals(expText)) {
      return List.of();
    }
    return List.of(
        "expr: \""
            + et.expr()
            + "\", time: "
            + et.evalTime()
            + ",\n    exp: "
            + expText
            + "\n    got: "
            + gotText);
  }

  /** Go's time.Duration text for whole seconds: {@code 0s}, {@code 2m0s}, {@code 1h0m0s}. */
  private static String goDuration(long millis) {
    long sec = millis / 1000;
    if (sec < 60) {
      return sec + "s";
    }
    if (sec < 3600) {
      return sec / 60 + "m" + sec % 60 + "s";
    }
    return sec / 3600 + "h" + sec % 3600 / 60 + "m" + sec % 60 + "s";
  }

  private static Labels withName(Series s) {
    Map<String, String> m = new TreeMap<>(s.labels().asMap());
    m.put("__name__", s.name());
    return Labels.of(m);
  }

  private static List<Value.Sample> samples(Value v, long t) {
    return switch (v) {
      case Value.Vector vec -> vec.samples();
      case Value.Scalar s -> List.of(new Value.Sample(Labels.empty(), s.value(), t));
      default -> throw new IllegalArgumentException("rule result must be a vector or scalar");
    };
  }

  /** {@code metric{a="b"}} (or {@code {a="b"}}) as labels, via the selector grammar. */
  static Labels seriesLabels(String text) {
    if (text.trim().equals("{}")) {
      return Labels.empty();
    }
    Expr e = Parser.parse(text.trim());
    if (!(e instanceof Expr.VectorSelector vs)) {
      throw new IllegalArgumentException("not a series: " + text);
    }
    Map<String, String> m = new TreeMap<>();
    for (Matcher matcher : vs.matchers()) {
      if (matcher.op() != Matcher.Op.EQ) {
        throw new IllegalArgumentException("only = matchers in a series: " + text);
      }
      m.put(matcher.name(), matcher.value());
    }
    return Labels.of(m);
  }
}
