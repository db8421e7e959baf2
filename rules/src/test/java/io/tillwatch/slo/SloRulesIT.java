package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleTestFileLoader;
import io.tillwatch.rules.RuleTests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules an SLO generates, in the real Prometheus ({@code promtool check rules} and {@code
 * promtool test rules}) and in tillwatch's rule engine: the same unit tests reach the same verdict
 * — an outage pages and opens a ticket for the busy tenant, the quiet tenant's few failures page
 * nobody, nothing fires before the outage, and the budget left is what the counts say.
 */
class SloRulesIT {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

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
      """;

  @TempDir Path dir;

  @BeforeEach
  void promtool() {
    Assumptions.assumeTrue(
        Files.isExecutable(PROMTOOL) || System.getenv("CI") != null, "promtool not installed");
  }

  private static String run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + "\n" + out;
  }

  @Test
  void prometheusAndTillwatchGiveTheSameVerdicts() throws Exception {
    List<Slo> slos = new SloFileLoader(Files::readString).load(Path.of("slos.yml"), SLOS).slos();
    String rules = SloRules.prometheusFile(slos);
    Path ruleFile = dir.resolve("slo-rules.yml");
    Files.writeString(ruleFile, rules);
    assertThat(run("check", "rules", ruleFile.toString())).as(rules).startsWith("0\n");
    // tillwatch reads the same file
    assertThat(RuleFileLoader.ofText().load(ruleFile, rules)).hasSize(1);

    // acme: 100 good requests a minute, then from minute 60 also 50 failing ones a minute
    // (at 170m a third of the last hour failed: burn rate 33.33 over 1h; over the day the
    // rates' extrapolation gives 24.28);
    // quiet: 0.3 a minute, all failing from minute 60 (54 events in all: under min_events 100)
    String test =
        """
        rule_files: [slo-rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'requests_total{tenant="acme",code="200"}'
                values: '0+100x180'
              - series: 'requests_total{tenant="acme",code="500"}'
                values: '0x60 0+50x120'
              - series: 'requests_total{tenant="quiet",code="200"}'
                values: '0+0.3x60 18x120'
              - series: 'requests_total{tenant="quiet",code="500"}'
                values: '0x60 0+0.3x120'
            alert_rule_test:
              - eval_time: 50m
                alertname: OrderCaptureSLOBurnRate
                exp_alerts: []
              - eval_time: 170m
                alertname: OrderCaptureSLOBurnRate
                exp_alerts:
                  - exp_labels: {%s}
                    exp_annotations:
                      summary: 'acme: order-capture is burning its error budget fast (page)'
                      description: 'acme is spending the order-capture error budget 33.3 times as fast as the 99 %% objective allows over 28d'
                      burn_rate: '33.33'
                      budget_remaining: '-2328%%'
                      time_to_exhaustion: '0s'
                      impact: Stores cannot record sales
                  - exp_labels: {%s}
                    exp_annotations:
                      summary: 'acme: order-capture is burning its error budget fast (ticket)'
                      description: 'acme is spending the order-capture error budget 24.3 times as fast as the 99 %% objective allows over 28d'
                      burn_rate: '24.28'
                      budget_remaining: '-2328%%'
                      time_to_exhaustion: '0s'
                      impact: Stores cannot record sales
            promql_expr_test:
              - expr: slo:objective:ratio{tenant="acme"}
                eval_time: 170m
                exp_samples:
                  - labels: 'slo:objective:ratio{sloth_id="tillwatch-order-capture", sloth_service="tillwatch", sloth_slo="order-capture", tenant="acme"}'
                    value: 0.99
              - expr: tillwatch_slo_state{tenant="acme"}
                eval_time: 60m
                exp_samples:
                  - labels: 'tillwatch_slo_state{slo="order-capture", sloth_id="tillwatch-order-capture", sloth_service="tillwatch", sloth_slo="order-capture", tenant="acme", window="28d"}'
                    value: 0
              - expr: tillwatch_slo_state{tenant="acme"}
                eval_time: 170m
                exp_samples:
                  - labels: 'tillwatch_slo_state{slo="order-capture", sloth_id="tillwatch-order-capture", sloth_service="tillwatch", sloth_slo="order-capture", tenant="acme", window="28d"}'
                    value: 2
              - expr: round(slo:period_error_budget_remaining:ratio{tenant="acme"}, 0.001)
                eval_time: 60m
                exp_samples:
                  - labels: '{sloth_id="tillwatch-order-capture", sloth_service="tillwatch", sloth_slo="order-capture", tenant="acme"}'
                    value: 1
        """
            .formatted(labels("page"), labels("ticket"));
    Path testFile = dir.resolve("slo-test.yml");
    Files.writeString(testFile, test);
    String promtool = run("test", "rules", testFile.toString());
    List<String> ours = RuleTests.run(new RuleTestFileLoader(Files::readString).load(testFile));
    assertThat(promtool).as(promtool).startsWith("0\n");
    assertThat(ours).isEmpty();
  }

  @Test
  void openSloFilesGiveRulesPromtoolAccepts() throws Exception {
    String more =
        """
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: checkout}
        spec:
          indicator:
            metadata: {name: errors}
            spec:
              ratioMetric:
                counter: true
                bad: {metricSource: {type: Prometheus, spec: {query: 'requests_total{code="500"}'}}}
                total: {metricSource: {type: Prometheus, spec: {query: requests_total}}}
          timeWindow: [{duration: 1w, calendar: {timeZone: Europe/Berlin}}]
          budgetingMethod: RatioTimeslices
          objectives: [{target: 0.99, timeSliceWindow: 5m}]
        """;
    List<Slo> slos =
        new SloFileLoader(Files::readString)
            .load(Path.of("openslo.yaml"), OpenSloReaderTest.ORDERS + more)
            .slos();
    assertThat(slos).hasSize(2);
    String rules = SloRules.prometheusFile(slos);
    Path ruleFile = dir.resolve("openslo-rules.yml");
    Files.writeString(ruleFile, rules);
    assertThat(run("check", "rules", ruleFile.toString())).as(rules).startsWith("0\n");
    assertThat(RuleFileLoader.ofText().load(ruleFile, rules)).hasSize(2);
  }

  /** The alert's labels as a YAML flow mapping's entries. */
  private static String labels(String severity) {
    return "severity: "
        + severity
        + ", risk: order_capture, slo: order-capture,"
        + " sloth_id: tillwatch-order-capture, sloth_service: tillwatch,"
        + " sloth_slo: order-capture, tenant: acme";
  }
}
