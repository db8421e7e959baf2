package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.config.ConfigException;
import io.tillwatch.rules.RuleFileLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenSloReaderTest {
  private static SloCatalog load(String text) {
    return new SloFileLoader(Files::readString).load(Path.of("openslo.yaml"), text);
  }

  static final String ORDERS =
      """
      apiVersion: openslo/v1
      kind: Service
      metadata: {name: web-shop}
      spec: {description: The shop}
      ---
      apiVersion: openslo/v1
      kind: DataSource
      metadata: {name: tillwatch}
      spec: {type: Prometheus, connectionDetails: {url: http://127.0.0.1:4318}}
      ---
      apiVersion: openslo/v1
      kind: SLI
      metadata: {name: odoo-requests}
      spec:
        ratioMetric:
          counter: true
          good:
            metricSource:
              metricSourceRef: tillwatch
              spec: {query: 'requests_total{code!~"5.."}'}
          total:
            metricSource:
              type: Prometheus
              spec: {query: requests_total}
      ---
      apiVersion: openslo/v1
      kind: AlertCondition
      metadata: {name: fast-burn}
      spec:
        severity: page
        condition: {kind: burnrate, op: gt, threshold: 13.44, lookbackWindow: 1h, alertAfter: 0m}
      ---
      apiVersion: openslo/v1
      kind: SLO
      metadata:
        name: order-capture
        displayName: Orders reach Odoo
        annotations:
          tillwatch.io/risk: order_capture
          tillwatch.io/impact: Stores cannot record sales
          tillwatch.io/min-events: "100"
      spec:
        service: web-shop
        indicatorRef: odoo-requests
        timeWindow:
          - duration: 4w
            isRolling: true
        budgetingMethod: Occurrences
        objectives:
          - displayName: Orders
            target: 0.995
        alertPolicies:
          - kind: AlertPolicy
            metadata: {name: page-on-fast-burn}
            spec:
              alertWhenBreaching: true
              conditions:
                - conditionRef: fast-burn
              notificationTargets:
                - targetRef: on-call
      """;

  @Test
  void aRatioSloWithReferencedSliAndAlertConditionMapsToAnSlo() {
    Slo s = load(ORDERS).slos().getFirst();
    assertThat(s.name()).isEqualTo("order-capture");
    assertThat(s.description()).isEqualTo("Orders reach Odoo");
    assertThat(s.objective()).isEqualTo(0.995);
    assertThat(s.window()).isEqualTo(new SloWindow.Rolling(Duration.ofDays(28)));
    assertThat(s.budgeting()).isEqualTo(Slo.Budgeting.OCCURRENCES);
    assertThat(s.minEvents()).isEqualTo(100);
    assertThat(s.risk().key()).isEqualTo("order_capture");
    Slo.Events e = (Slo.Events) s.sli();
    assertThat(e.good(Duration.ofMinutes(5)))
        .isEqualTo("sum by (tenant) (rate(requests_total{code!~\"5..\"}[5m]))");
    assertThat(s.alerts("page").enabled()).isTrue();
    assertThat(s.alerts("page").labels())
        .containsEntry("severity", "page")
        .containsEntry("service", "web-shop")
        .containsEntry("notification_target", "on-call");
    assertThat(s.alerts("ticket").enabled()).isFalse();
    // its rules load in tillwatch's engine
    assertThat(
            RuleFileLoader.ofText()
                .load(Path.of("r.yml"), "groups:\n" + SloRules.groups(s, Map.of(), false)))
        .hasSize(1);
  }

  @Test
  void calendarThresholdAndRatioTimeslicesMap() {
    SloCatalog c =
        load(
            """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: stock-sync}
            spec:
              service: shop
              indicator:
                metadata: {name: oldest-job}
                spec:
                  thresholdMetric:
                    metricSource:
                      type: Prometheus
                      spec: {query: 'max by (tenant) (queue_oldest_age_seconds)'}
              timeWindow:
                - duration: 1M
                  calendar: {startTime: '2026-01-01 00:00:00', timeZone: America/New_York}
              budgetingMethod: Timeslices
              objectives:
                - {op: lt, value: 600, target: 0.99, timeSliceTarget: 1, timeSliceWindow: 1m}
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: checkout}
            spec:
              service: shop
              indicator:
                metadata: {name: errors}
                spec:
                  ratioMetric:
                    counter: true
                    bad: {metricSource: {type: prometheus, spec: {query: 'requests_total{code="500"}'}}}
                    total: {metricSource: {type: prometheus, spec: {query: requests_total}}}
              timeWindow: [{duration: 2w, isRolling: true}]
              budgetingMethod: RatioTimeslices
              objectives: [{targetPercent: 99.5, timeSliceWindow: 5}]
            """);
    Slo stock = c.slos().get(0);
    assertThat(stock.window())
        .isEqualTo(
            new SloWindow.Calendar(
                SloWindow.Period.MONTH, Optional.of(ZoneId.of("America/New_York"))));
    Slo.Timeslice t = (Slo.Timeslice) stock.sli();
    assertThat(t.good()).isEqualTo(new Slo.Comparison("<", 600));
    assertThat(t.slice()).isEqualTo(Duration.ofMinutes(1));
    Slo checkout = c.slos().get(1);
    assertThat(checkout.objective()).isEqualTo(0.995);
    Slo.Timeslice r = (Slo.Timeslice) checkout.sli();
    assertThat(r.good()).isEqualTo(Slo.Comparison.SHARE);
    assertThat(r.slice()).isEqualTo(Duration.ofMinutes(5));
    // total minus bad, with no bad series meaning all good
    assertThat(r.exprText()).contains("[5m]").contains(") or (0 * (");
    assertThat(r.good().good(0.97)).isEqualTo(0.97);
  }

  private static void fails(String text, String... expected) {
    assertThatThrownBy(() -> load(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContainingAll(expected);
  }

  @Test
  void whatCannotBeMappedIsAnErrorNamingTheField() {
    String slo =
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: orders}
        spec:
          indicator:
            metadata: {name: x}
            spec:
              ratioMetric:
                %s
          timeWindow: [{duration: %s, isRolling: %s}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """;
    String ok =
        "counter: true\n"
            + "        good: {metricSource: {type: Prometheus, spec: {query: good_total}}}\n"
            + "        total: {metricSource: {type: Prometheus, spec: {query: all_total}}}";
    assertThat(load(slo.formatted(ok, "28d", "true")).slos()).hasSize(1);
    fails(
        slo.formatted(
            "rawType: success\n        raw: {metricSource: {type: Prometheus, spec: {query: r}}}",
            "28d",
            "true"),
        "openslo.yaml:10:",
        "spec.indicator.spec.ratioMetric.raw",
        "precomputed ratios");
    fails(
        slo.formatted(ok.replace("type: Prometheus", "type: Datadog"), "28d", "true"),
        "metricSource.type",
        "Datadog");
    fails(slo.formatted(ok, "1M", "true"), "timeWindow[0].duration", "days or weeks");
    fails(slo.formatted(ok, "2M", "false"), "timeWindow[0].duration", "1w, 1M or 1Q");
    assertThat(load(slo.formatted(ok, "1M", "false")).slos().getFirst().window().text())
        .isEqualTo("month");
    fails(
        slo.formatted(ok, "28d", "true")
            .replace("[{target: 0.99}]", "[{target: 0.99}, {target: 0.9}]"),
        "spec.objectives",
        "one objective per SLO");
    fails(
        """
        apiVersion: openslo/v1
        kind: AlertNotificationTarget
        metadata: {name: mail}
        spec: {target: email}
        """,
        "kind",
        "not mapped");
    fails(
        ORDERS.replace("threshold: 13.44", "threshold: 2"),
        "[doc 3].spec.condition",
        "page: 13.44 over 1h");
    fails(
        ORDERS.replace(
            "duration: 4w\n      isRolling: true",
            "duration: 1M\n      calendar: {startTime: '2026-01-15 00:00:00'}"),
        "startTime",
        "the 1st of the month");
  }
}
