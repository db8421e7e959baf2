package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine against the real Prometheus (Debian's {@code promtool}): every expression below is
 * evaluated by both over the same input series; promtool's answers are read from its unit-test
 * runner, given an expectation that cannot hold, which prints what it got.
 */
class PromtoolOracleIT {
  private static final long MINUTE = 60_000L;

  /** Input series in promtool's notation, one sample a minute from 0. */
  private static final Map<String, String> SERIES = new LinkedHashMap<>();

  static {
    SERIES.put("http_requests_total{job=\"api\",instance=\"a\",code=\"200\"}", "0+10x40");
    SERIES.put("http_requests_total{job=\"api\",instance=\"b\",code=\"200\"}", "0+20x15 0+20x24");
    SERIES.put("http_requests_total{job=\"api\",instance=\"a\",code=\"500\"}", "0+1x40");
    SERIES.put("http_requests_total{job=\"web\",instance=\"c\",code=\"200\"}", "5+5x40");
    SERIES.put(
        "lag_seconds{tenant=\"acme\",target=\"pg1\"}",
        "0 1 2 5 3 1 0 0 0 _ 4 6 8 10 stale 2 2 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
    SERIES.put("lag_seconds{tenant=\"globex\",target=\"pg2\"}", "1x40");
    SERIES.put("latency_seconds_bucket{service=\"odoo\",le=\"0.1\"}", "0+1x40");
    SERIES.put("latency_seconds_bucket{service=\"odoo\",le=\"0.5\"}", "0+3x40");
    SERIES.put("latency_seconds_bucket{service=\"odoo\",le=\"1\"}", "0+4x40");
    SERIES.put("latency_seconds_bucket{service=\"odoo\",le=\"+Inf\"}", "0+5x40");
    SERIES.put("temperature{room=\"a\"}", "-5+0.5x40");
    SERIES.put("temperature{room=\"b\"}", "20 21 19 22 18 23 17 24 16 25 15 26 14 27 13 28 12 29");
    SERIES.put("tenant_info{tenant=\"acme\",tier=\"dedicated\"}", "1x40");
    SERIES.put("tenant_info{tenant=\"globex\",tier=\"shared\"}", "1x40");
  }

  private static final List<String> EXPRESSIONS =
      List.of(
          "http_requests_total",
          "http_requests_total{job=\"api\",code!=\"500\"}",
          "http_requests_total{instance=~\"a|c\"}",
          "http_requests_total{instance!~\"a.*\"}",
          "http_requests_total offset 5m",
          "http_requests_total @ 600",
          "rate(http_requests_total[5m])",
          "rate(http_requests_total[10m] offset 3m)",
          "irate(http_requests_total[5m])",
          "increase(http_requests_total[7m])",
          "delta(temperature[6m])",
          "idelta(temperature[5m])",
          "deriv(temperature[10m])",
          "predict_linear(temperature[10m], 3600)",
          "resets(http_requests_total[30m])",
          "changes(temperature[10m])",
          "avg_over_time(lag_seconds[10m])",
          "min_over_time(lag_seconds[10m])",
          "max_over_time(lag_seconds[10m])",
          "sum_over_time(lag_seconds[10m])",
          "count_over_time(lag_seconds[10m])",
          "last_over_time(lag_seconds[10m])",
          "quantile_over_time(0.9, lag_seconds[10m])",
          "stddev_over_time(temperature[10m])",
          "stdvar_over_time(temperature[10m])",
          "lag_seconds",
          "absent(nonexistent{job=\"x\"})",
          "absent(lag_seconds)",
          "absent_over_time(nonexistent[5m])",
          "histogram_quantile(0.9, rate(latency_seconds_bucket[5m]))",
          "histogram_quantile(0.5, latency_seconds_bucket)",
          "clamp(temperature, 0, 10)",
          "clamp_min(temperature, 0)",
          "clamp_max(temperature, 0)",
          "abs(temperature)",
          "ceil(temperature / 3)",
          "floor(temperature / 3)",
          "round(temperature / 3)",
          "round(temperature, 0.3)",
          "sqrt(abs(temperature))",
          "exp(temperature / 10)",
          "ln(abs(temperature))",
          "time()",
          "timestamp(lag_seconds)",
          "vector(1)",
          "scalar(temperature{room=\"a\"})",
          "sort(temperature)",
          "sort_desc(http_requests_total)",
          "label_replace(lag_seconds, \"db\", \"$1-x\", \"target\", \"pg(.*)\")",
          "label_join(lag_seconds, \"id\", \"/\", \"tenant\", \"target\")",
          "day_of_week()",
          "hour(vector(time()))",
          "minute()",
          "month()",
          "year()",
          "day_of_month()",
          "days_in_month()",
          "sum(http_requests_total)",
          "sum by (job) (http_requests_total)",
          "sum without (instance) (http_requests_total)",
          "avg by (job) (rate(http_requests_total[5m]))",
          "min(temperature)",
          "max by (code) (http_requests_total)",
          "count(http_requests_total)",
          "stddev(http_requests_total)",
          "stdvar by (job) (http_requests_total)",
          "topk(2, http_requests_total)",
          "bottomk(1, http_requests_total)",
          "quantile(0.75, http_requests_total)",
          "count_values(\"value\", lag_seconds)",
          "group by (job) (http_requests_total)",
          "http_requests_total + 1",
          "2 * http_requests_total - 1",
          "http_requests_total / 0",
          "http_requests_total % 7",
          "2 ^ 3 ^ 2",
          "-temperature",
          "-2 ^ 2",
          "1 + 2 * 3 - 4 / 2",
          "http_requests_total > 100",
          "http_requests_total > bool 100",
          "100 < http_requests_total",
          "3 > bool 2",
          "http_requests_total{code=\"200\"} / ignoring(code) http_requests_total{code=\"500\"}",
          "http_requests_total / on(job, instance) group_left rate(http_requests_total{code=\"500\"}[5m])",
          "lag_seconds * on(tenant) group_left(tier) tenant_info",
          "http_requests_total and http_requests_total > 100",
          "http_requests_total or lag_seconds",
          "http_requests_total unless on(instance) http_requests_total{code=\"500\"}",
          "sum(rate(http_requests_total[5m])) by (job) > 1",
          "max_over_time(rate(http_requests_total[2m])[10m:1m])",
          "rate(http_requests_total[5m]) * 60",
          "temperature atan2 2",
          "sgn(temperature)",
          "log2(abs(temperature) + 1)",
          "log10(http_requests_total + 1)");

  private static final long[] TIMES = {10 * MINUTE, 17 * MINUTE, 33 * MINUTE};

  private static Map<String, String> promtool;

  @TempDir static Path dir;

  @BeforeAll
  static void askPromtool() throws Exception {
    Path promtoolBin = Path.of("/usr/bin/promtool");
    Assumptions.assumeTrue(
        Files.isExecutable(promtoolBin) || System.getenv("CI") != null, "promtool not installed");
    StringBuilder yaml = new StringBuilder();
    yaml.append("rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n");
    yaml.append("    input_series:\n");
    SERIES.forEach(
        (s, v) ->
            yaml.append("      - series: '")
                .append(s)
                .append("'\n        values: '")
                .append(v)
                .append("'\n"));
    yaml.append("    promql_expr_test:\n");
    for (String e : EXPRESSIONS) {
      for (long t : TIMES) {
        yaml.append("      - expr: '")
            .append(e.replace("'", "''"))
            .append("'\n        eval_time: ")
            .append(t / MINUTE)
            .append("m\n        exp_samples:\n          - labels: '{never=\"this\"}'\n")
            .append("            value: -12345\n");
      }
    }
    Path file = dir.resolve("oracle.yml");
    Files.writeString(file, yaml);
    Process p =
        new ProcessBuilder(promtoolBin.toString(), "test", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    promtool = parseFailures(out);
    assertThat(promtool).as(out).hasSize(EXPRESSIONS.size() * TIMES.length);
  }

  /** {@code expr@minutes} → what promtool got, from its failure report. */
  static Map<String, String> parseFailures(String out) {
    Map<String, String> got = new HashMap<>();
    String[] lines = out.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].trim();
      if (!l.startsWith("expr: \"")) {
        continue;
      }
      int timeAt = l.lastIndexOf("\", time: ");
      String expr = l.substring(7, timeAt).replace("\\\"", "\"").replace("\\\\", "\\");
      String time = l.substring(timeAt + 9, l.length() - 1);
      String result = "";
      for (int k = i + 1; k < lines.length && k <= i + 3; k++) {
        String g = lines[k].trim();
        if (g.startsWith("got: ")) {
          result = g.substring(5);
          break;
        }
        if (g.startsWith("err:") || g.contains("err:")) {
          result = "error";
          break;
        }
      }
      got.put(expr + "@" + time, result);
    }
    return got;
  }

  /** promtool's {@code {a="b", c="d"} 4E+00, ...} as label text → value. */
  static Map<String, Double> parseSamples(String text) {
    Map<String, Double> out = new TreeMap<>();
    if (text.isBlank() || text.equals("nil")) {
      return out;
    }
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf('{', i);
      String name = text.substring(i, open).trim();
      int close = open + 1;
      boolean quoted = false;
      for (; close < text.length(); close++) {
        char c = text.charAt(close);
        if (c == '\\') {
          close++;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (c == '}' && !quoted) {
          break;
        }
      }
      Map<String, String> labels = new TreeMap<>();
      String body = text.substring(open + 1, close);
      for (String pair : splitPairs(body)) {
        int eq = pair.indexOf('=');
        labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 2, pair.length() - 1));
      }
      if (!name.isEmpty()) {
        labels.put("__name__", name);
      }
      int valueEnd = text.indexOf(", ", close);
      String value = text.substring(close + 2, valueEnd < 0 ? text.length() : valueEnd).trim();
      out.put(labels.toString(), parseGoFloat(value));
      i = valueEnd < 0 ? text.length() : valueEnd + 2;
    }
    return out;
  }

  private static List<String> splitPairs(String body) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int from = 0;
    for (int k = 0; k < body.length(); k++) {
      char c = body.charAt(k);
      if (c == '\\') {
        k++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(body.substring(from, k).trim());
        from = k + 1;
      }
    }
    if (from < body.length() && !body.substring(from).isBlank()) {
      out.add(body.substring(from).trim());
    }
    return out;
  }

  static double parseGoFloat(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static MemorySource source() {
    MemorySource src = new MemorySource();
    SERIES.forEach(
        (series, values) -> {
          int brace = series.indexOf('{');
          Map<String, String> labels = new TreeMap<>();
          labels.put("__name__", series.substring(0, brace));
          for (String pair : splitPairs(series.substring(brace + 1, series.length() - 1))) {
            int eq = pair.indexOf('=');
            labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
          }
          List<Double> v = SeriesNotation.expand(values);
          List<Long> ts = new ArrayList<>();
          List<Double> vs = new ArrayList<>();
          for (int k = 0; k < v.size(); k++) {
            if (v.get(k) != null) {
              ts.add(k * MINUTE);
              vs.add(v.get(k));
            }
          }
          src.add(
              Labels.of(labels),
              ts.stream().mapToLong(Long::longValue).toArray(),
              vs.stream().mapToDouble(Double::doubleValue).toArray());
        });
    return src;
  }

  private static Map<String, Double> ours(String expr, long t) {
    Value v = Evaluator.instant(source(), t).eval(Parser.parse(expr), t);
    Map<String, Double> out = new TreeMap<>();
    switch (v) {
      case Value.Scalar s -> out.put("{}", s.value());
      case Value.Vector vec -> {
        for (Value.Sample s : vec.samples()) {
          out.put(new TreeMap<>(s.labels().asMap()).toString(), s.value());
        }
      }
      default -> throw new AssertionError("unexpected " + v);
    }
    return out;
  }

  @Test
  void everyExpressionGivesWhatPrometheusGives() {
    List<String> mismatches = new ArrayList<>();
    for (String e : EXPRESSIONS) {
      for (long t : TIMES) {
        String key = e + "@" + (t / MINUTE) + "m";
        String theirs = promtool.get(key);
        if (theirs == null) {
          mismatches.add(key + ": promtool said nothing");
          continue;
        }
        Map<String, Double> expected = parseSamples(theirs);
        Map<String, Double> actual;
        try {
          actual = ours(e, t);
        } catch (RuntimeException ex) {
          mismatches.add(key + ": we failed: " + ex.getMessage());
          continue;
        }
        if (!expected.keySet().equals(actual.keySet())) {
          mismatches.add(key + ":\n   prometheus " + expected + "\n   tillwatch  " + actual);
          continue;
        }
        for (String labels : expected.keySet()) {
          double a = expected.get(labels);
          double b = actual.get(labels);
          boolean same =
              (Double.isNaN(a) && Double.isNaN(b))
                  || a == b
                  || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
          if (!same) {
            mismatches.add(key + " " + labels + ": prometheus " + a + ", tillwatch " + b);
          }
        }
      }
    }
    assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
  }
}
