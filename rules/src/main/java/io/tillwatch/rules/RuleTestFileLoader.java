package io.tillwatch.rules;

import io.tillwatch.config.FileReader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads promtool's rule unit-test files, unchanged, and the rule files they name. */
public final class RuleTestFileLoader {
  private static final Set<String> ROOT =
      Set.of("rule_files", "evaluation_interval", "group_eval_order", "tests");
  private static final Set<String> TEST =
      Set.of(
          "name",
          "interval",
          "input_series",
          "alert_rule_test",
          "promql_expr_test",
          "external_labels",
          "external_url");
  private static final Set<String> SERIES = Set.of("series", "values");
  private static final Set<String> ALERT_TEST = Set.of("eval_time", "alertname", "exp_alerts");
  private static final Set<String> EXP_ALERT = Set.of("exp_labels", "exp_annotations");
  private static final Set<String> EXPR_TEST = Set.of("expr", "eval_time", "exp_samples");
  private static final Set<String> EXP_SAMPLE = Set.of("labels", "value");

  private final Interpolation none;
  private final RuleFileLoader rules;

  /**
   * @param files reads the test file and the rule files it names
   */
  public RuleTestFileLoader(FileReader files) {
    this.none = Interpolation.withoutEnvironment(files);
    this.rules = new RuleFileLoader(files);
  }

  public RuleTests.TestFile load(Path file) {
    YamlNode.Mapping root = YamlNode.parse(file, none).mapping(ROOT);
    Path base = file.toAbsolutePath().getParent();
    List<RuleGroup> groups = new ArrayList<>();
    for (YamlNode f : root.optional("rule_files").map(YamlNode::list).orElse(List.of())) {
      Path rulesFile = base.resolve(f.raw());
      if (!java.nio.file.Files.isRegularFile(rulesFile)) {
        // said where it is named: the test file's line, not a file that is not there
        throw f.error("no rule file " + rulesFile);
      }
      groups.addAll(rules.load(rulesFile));
    }
    Duration interval =
        root.optional("evaluation_interval").map(YamlNode::duration).orElse(Duration.ofMinutes(1));
    List<String> order = new ArrayList<>();
    for (YamlNode g : root.optional("group_eval_order").map(YamlNode::list).orElse(List.of())) {
      order.add(g.raw());
    }
    List<RuleTests.TestGroup> tests = new ArrayList<>();
    for (YamlNode t : root.optional("tests").map(YamlNode::list).orElse(List.of())) {
      tests.add(test(t));
    }
    return new RuleTests.TestFile(groups, interval, order, tests);
  }

  private RuleTests.TestGroup test(YamlNode node) {
    YamlNode.Mapping m = node.mapping(TEST);
    List<RuleTests.InputSeries> series = new ArrayList<>();
    for (YamlNode s : list(m, "input_series")) {
      YamlNode.Mapping sm = s.mapping(SERIES);
      series.add(
          new RuleTests.InputSeries(
              sm.required("series").raw(), sm.optional("values").map(YamlNode::raw).orElse("")));
    }
    List<RuleTests.AlertTest> alerts = new ArrayList<>();
    for (YamlNode a : list(m, "alert_rule_test")) {
      YamlNode.Mapping am = a.mapping(ALERT_TEST);
      List<RuleTests.ExpAlert> exp = new ArrayList<>();
      for (YamlNode e : list(am, "exp_alerts")) {
        YamlNode.Mapping em = e.mapping(EXP_ALERT);
        exp.add(
            new RuleTests.ExpAlert(
                strings(em.optional("exp_labels").orElse(null)),
                strings(em.optional("exp_annotations").orElse(null))));
      }
      alerts.add(
          new RuleTests.AlertTest(
              am.optional("eval_time").map(YamlNode::duration).orElse(Duration.ZERO),
              am.required("alertname").raw(),
              exp));
    }
    List<RuleTests.ExprTest> exprs = new ArrayList<>();
    for (YamlNode e : list(m, "promql_expr_test")) {
      YamlNode.Mapping em = e.mapping(EXPR_TEST);
      List<RuleTests.ExpSample> exp = new ArrayList<>();
      for (YamlNode s : list(em, "exp_samples")) {
        YamlNode.Mapping sm = s.mapping(EXP_SAMPLE);
        exp.add(
            new RuleTests.ExpSample(
                sm.optional("labels").map(YamlNode::raw).orElse(""),
                sm.required("value").convert(RuleTestFileLoader::number)));
      }
      exprs.add(
          new RuleTests.ExprTest(
              em.required("expr").raw(),
              em.optional("eval_time").map(YamlNode::duration).orElse(Duration.ZERO),
              exp));
    }
    return new RuleTests.TestGroup(
        m.optional("name").map(YamlNode::raw).orElse(null),
        m.optional("interval").map(YamlNode::duration),
        series,
        alerts,
        exprs);
  }

  private static List<YamlNode> list(YamlNode.Mapping m, String field) {
    return m.optional(field).map(YamlNode::list).orElse(List.of());
  }

  private static Map<String, String> strings(YamlNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null) {
      node.entries().forEach((k, v) -> out.put(k, v.raw()));
    }
    return out;
  }

  private static double number(String s) {
    return switch (s) {
      case "Inf", "+Inf", ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-.inf" -> Double.NEGATIVE_INFINITY;
      case "NaN", ".nan" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }
}
