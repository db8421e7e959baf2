package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.GroupEvaluator;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.rules.RuleTestFileLoader;
import io.tillwatch.rules.RuleTests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same data, same verdicts: eight hours of synthetic traffic with known outages run through the SLO
 * rules in tillwatch's rule engine; every five minutes its budget left, attained share and firing
 * alerts (labels and annotations) become the expectations of a {@code promtool test rules} file,
 * which the real Prometheus must pass as written — the numbers equal to the last bit, the alerts
 * firing and resolving at the same evaluations.
 */
class SloParityIT {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final int MINUTES = 480;

  private static final String SLOS =
      """
      slos:
        - name: order-capture
          risk: order_capture
          impact: Stores cannot record sales
          objective: 99
          window: 28d
          min_events: 100
          sli:
            events:
              good: sum by (tenant) (rate(requests_total{code!~"5.."}[{{.window}}]))
              total: sum by (tenant) (rate(requests_total[{{.window}}]))
        - name: stock-sync
          risk: inventory_accuracy
          objective: 95
          # promtool's unit tests hold at most 10,000 samples a query: a day of 1m slices fits
          window: 1d
          sli:
            timeslice:
              expr: max by (tenant) (queue_oldest_age_seconds)
              good: '< 600'
              slice: 1m
      """;

  @TempDir Path dir;

  /** Per minute: cumulative counters from rates per minute. */
  private static String counter(java.util.function.IntToDoubleFunction perMinute) {
    StringBuilder b = new StringBuilder();
    double total = 0;
    for (int k = 0; k <= MINUTES; k++) {
      b.append(k == 0 ? "" : " ").append(SloRules.num(total));
      total += perMinute.applyAsDouble(k + 1);
    }
    return b.toString();
  }

  private static String gauge(java.util.function.IntToDoubleFunction at) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k <= MINUTES; k++) {
      b.append(k == 0 ? "" : " ").append(SloRules.num(at.applyAsDouble(k)));
    }
    return b.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String labelsText(Labels l) {
    StringBuilder b = new StringBuilder("{");
    new TreeMap<>(l.asMap())
        .forEach(
            (k, v) ->
                b.append(b.length() > 1 ? ", " : "")
                    .append(k)
                    .append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"'));
    return b.append('}').toString();
  }

  @Test
  void tillwatchsBudgetsAndAlertsAreWhatPrometheusComputes() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(PROMTOOL) || System.getenv("CI") != null, "promtool not installed");
    Map<String, String> input = new LinkedHashMap<>();
    // acme: 100 good a minute; 60 failing a minute in minutes 120–140, 200 in 300–306
    input.put("requests_total{tenant=\"acme\",code=\"200\"}", counter(m -> 100));
    input.put(
        "requests_total{tenant=\"acme\",code=\"500\"}",
        counter(m -> (m > 120 && m <= 140) ? 60 : (m > 300 && m <= 306) ? 200 : 0));
    // globex: 20 good a minute, a slow burn of 1 failing a minute in minutes 200–320
    input.put("requests_total{tenant=\"globex\",code=\"200\"}", counter(m -> 20));
    input.put(
        "requests_total{tenant=\"globex\",code=\"500\"}",
        counter(m -> m > 200 && m <= 320 ? 1 : 0));
    // stock sync: acme's oldest job stuck for 20 minutes, globex's for an hour
    input.put(
        "queue_oldest_age_seconds{tenant=\"acme\"}", gauge(m -> m >= 150 && m < 170 ? 700 : 30));
    input.put(
        "queue_oldest_age_seconds{tenant=\"globex\"}", gauge(m -> m >= 240 && m < 300 ? 900 : 5));

    List<Slo> slos = new SloFileLoader(Files::readString).load(Path.of("slos.yml"), SLOS).slos();
    String rules = SloRules.prometheusFile(slos);
    Path ruleFile = dir.resolve("slo-rules.yml");
    Files.writeString(ruleFile, rules);
    List<RuleGroup> groups = RuleFileLoader.ofText().load(ruleFile, rules);

    // tillwatch: the rules every minute over the input, as the collector evaluates them
    MemorySource storage = new MemorySource();
    for (Map.Entry<String, String> in : input.entrySet()) {
      Labels l =
          io.tillwatch.promql.Parser.parse(in.getKey())
                  instanceof io.tillwatch.promql.Expr.VectorSelector vs
              ? selectorLabels(vs)
              : Labels.empty();
      String[] values = in.getValue().split(" ");
      for (int k = 0; k < values.length; k++) {
        storage.append(l, k * 60_000L, Double.parseDouble(values[k]));
      }
    }
    List<GroupEvaluator> evaluators = new ArrayList<>();
    for (RuleGroup g : groups) {
      evaluators.add(new GroupEvaluator(g, id -> null, Optional.empty()));
    }
    StringBuilder alertTests = new StringBuilder();
    StringBuilder exprTests = new StringBuilder();
    int firings = 0;
    int quietChecks = 0;
    List<Double> budgets = new ArrayList<>();
    for (int m = 0; m <= MINUTES; m++) {
      long t = m * 60_000L;
      for (GroupEvaluator ev : evaluators) {
        GroupEvaluator.Outcome o =
            ev.evaluate(
                storage,
                t,
                (Series s, long time, double v) -> storage.append(withName(s), time, v));
        assertThat(o.errors()).isEmpty();
      }
      if (m == 0) {
        continue;
      }
      // every alert of an alert name (page and ticket are two rules of one name)
      Map<String, List<AlertState.Alert>> byName = new TreeMap<>();
      for (GroupEvaluator ev : evaluators) {
        for (Map.Entry<Rule.Alerting, AlertState> e : ev.alerts().entrySet()) {
          byName
              .computeIfAbsent(e.getKey().name(), k -> new ArrayList<>())
              .addAll(e.getValue().alerts(AlertState.State.FIRING));
        }
      }
      for (Map.Entry<String, List<AlertState.Alert>> e : byName.entrySet()) {
        List<AlertState.Alert> firing = e.getValue();
        alertTests
            .append("      - eval_time: ")
            .append(m)
            .append("m\n        alertname: ")
            .append(e.getKey())
            .append('\n');
        if (firing.isEmpty()) {
          alertTests.append("        exp_alerts: []\n");
          quietChecks++;
          continue;
        }
        alertTests.append("        exp_alerts:\n");
        for (AlertState.Alert a : firing) {
          firings++;
          alertTests.append("          - exp_labels:\n");
          new TreeMap<>(a.labels().asMap())
              .forEach(
                  (k, v) -> {
                    if (!k.equals("alertname")) {
                      alertTests
                          .append("              ")
                          .append(k)
                          .append(": ")
                          .append(quote(v))
                          .append('\n');
                    }
                  });
          alertTests.append("            exp_annotations:\n");
          new TreeMap<>(a.annotations())
              .forEach(
                  (k, v) ->
                      alertTests
                          .append("              ")
                          .append(k)
                          .append(": ")
                          .append(quote(v))
                          .append('\n'));
        }
      }
      for (String expr :
          m % 5 != 0
              ? List.<String>of()
              : List.of(
                  "slo:period_error_budget_remaining:ratio",
                  "1 - slo:period_burn_rate:ratio * on (tenant, sloth_id) slo:error_budget:ratio")) {
        List<Value.Sample> got =
            ((Value.Vector) Evaluator.instant(storage, t).eval(Parser.parse(expr), t)).samples();
        exprTests
            .append("      - expr: ")
            .append(quote(expr))
            .append("\n        eval_time: ")
            .append(m)
            .append("m\n        exp_samples:")
            .append(got.isEmpty() ? " []\n" : "\n");
        for (Value.Sample s : got) {
          Map<String, String> l = new TreeMap<>(s.labels().asMap());
          l.remove("__name__");
          String name = expr.startsWith("slo:") ? expr : "";
          exprTests
              .append("          - labels: ")
              .append(quote(name + labelsText(Labels.of(l))))
              .append("\n            value: ")
              .append(Double.toString(s.value()))
              .append('\n');
          if (expr.startsWith("slo:")) {
            budgets.add(s.value());
          }
        }
      }
    }
    // not vacuous: alerts fired and resolved, budgets moved
    assertThat(firings).isGreaterThan(10);
    assertThat(quietChecks).isGreaterThan(10);
    assertThat(budgets.stream().distinct().count()).isGreaterThan(50);

    StringBuilder test =
        new StringBuilder(
            "rule_files: [slo-rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
                + "    input_series:\n");
    input.forEach(
        (series, values) ->
            test.append("      - series: ")
                .append(quote(series))
                .append("\n        values: ")
                .append(quote(values))
                .append('\n'));
    test.append("    alert_rule_test:\n").append(alertTests);
    test.append("    promql_expr_test:\n").append(exprTests);
    Path testFile = dir.resolve("parity-test.yml");
    Files.writeString(testFile, test);

    // tillwatch passes its own expectations (a check of the file itself), and so must Prometheus
    assertThat(RuleTests.run(new RuleTestFileLoader(Files::readString).load(testFile))).isEmpty();
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "test", "rules", testFile.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out.length() > 6000 ? out.substring(0, 6000) : out).isZero();
  }

  private static Labels selectorLabels(io.tillwatch.promql.Expr.VectorSelector vs) {
    Map<String, String> m = new TreeMap<>();
    for (io.tillwatch.promql.Matcher x : vs.matchers()) {
      m.put(x.name(), x.value());
    }
    return Labels.of(m);
  }

  private static Labels withName(Series s) {
    Map<String, String> m = new TreeMap<>(s.labels().asMap());
    m.put("__name__", s.name());
    return Labels.of(m);
  }
}
