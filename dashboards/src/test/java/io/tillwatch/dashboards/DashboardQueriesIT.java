package io.tillwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.promql.Parser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel, annotation and variable query of every dashboard, with Grafana's macros and
 * variables substituted as Grafana does for a 6-hour and a 7-day dashboard, parsed by tillwatch's
 * engine and accepted by Prometheus's {@code promtool check rules} as recording rules.
 */
class DashboardQueriesIT {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\((?:(.+),\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\)");

  @TempDir Path dir;

  /** The variables as Grafana substitutes them: one tenant, and several as a regex alternation. */
  private static final List<Map<String, String>> VALUES =
      List.of(
          Map.of("tenant", "acme", "slo", "order-capture"),
          Map.of("tenant", "(acme|globex)", "slo", "stock-sync-freshness"));

  @Test
  void everyQueryParsesInTillwatchAndInPromtool() throws Exception {
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    int n = 0;
    for (Dashboards.Range r : List.of(Dashboards.Range.SIX_HOURS, Dashboards.Range.SEVEN_DAYS)) {
      for (Map<String, String> vars : VALUES) {
        for (Dashboards.Query q : Dashboards.queries()) {
          Duration range = q.timeFrom().equals("now/d") ? Duration.ofHours(13) : r.length();
          String expr = r.expand(q.expr(), vars, range);
          Parser.parse(expr); // throws naming the position
          rules.append("      - record: dashboard:query:").append(n++).append('\n');
          rules.append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        for (Dashboards.Query v : Dashboards.variables()) {
          Matcher m = LABEL_VALUES.matcher(r.expand(v.expr(), vars, r.length()));
          assertThat(m.matches()).as(v.name() + ": " + v.expr()).isTrue();
          if (m.group(1) != null) {
            Parser.parse(m.group(1));
            rules.append("      - record: dashboard:variable:").append(n++).append('\n');
            rules.append("        expr: '").append(m.group(1).replace("'", "''")).append("'\n");
          }
        }
      }
    }
    assertThat(n).isGreaterThan(150);
    Path file = dir.resolve("dashboards.rules.yml");
    Files.writeString(file, rules);
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: " + n + " rules found");
  }
}
