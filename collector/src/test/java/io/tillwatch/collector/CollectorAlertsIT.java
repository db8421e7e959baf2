package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.promql.Parser;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The collector's alerts at a real Alertmanager, across a restart of the collector. */
class CollectorAlertsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final RuleGroup GROUP =
      new RuleGroup(
          "stock-sync",
          Duration.ofMinutes(1),
          List.of(
              new Rule.Alerting(
                  "StockSyncStalled",
                  "queue_age > 600",
                  Parser.parse("queue_age > 600"),
                  Duration.ofMinutes(1),
                  Duration.ZERO,
                  Map.of("severity", "page"),
                  Map.of("summary", "Stock sync of {{ $labels.tenant }} is behind"),
                  Rule.Risk.INVENTORY_ACCURACY,
                  "Stores may sell items that are no longer in stock.",
                  Rule.During.ALWAYS,
                  Map.of())));

  private static Collector start(AlertmanagerServer am) throws Exception {
    CollectorConfig base = TestCollectors.config(PG.server(), "alerts", 1_000_000);
    CollectorConfig c =
        new CollectorConfig(
            base.listen(),
            base.storage(),
            base.head(),
            base.tokens(),
            base.maxQueuedSamples(),
            List.of(),
            Duration.ofMinutes(1),
            new AlertingConfig(
                List.of(am.url()), Duration.ofMinutes(1), "http://collector", "", 100));
    return Collector.start(
        c,
        c.storage().url().orElseThrow(),
        c.storage().user(),
        c.storage().password(),
        List.of(GROUP),
        Map.of());
  }

  private static JsonNode held(AlertmanagerServer am) throws Exception {
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("labels").path("alertname").asText().equals("StockSyncStalled")
          && a.path("status").path("state").asText().equals("active")) {
        return a;
      }
    }
    return null;
  }

  @Test
  @Timeout(180)
  void firesAtAlertmanagerStaysFiringAcrossARestartAndResolves() throws Exception {
    PG.createDatabase("alerts");
    // evaluation times in the recent past, so that Alertmanager sees a resolution as ended
    long now = (System.currentTimeMillis() / 1000) * 1000 - 200_000;
    try (AlertmanagerServer am = AlertmanagerServer.start()) {
      String startsAt;
      try (Collector c = start(am)) {
        // a stalled queue: 1800 s behind, from two minutes ago on
        for (int k = 0; k < 12; k++) {
          assertThat(
                  Otlp.post(c.port(), PLATFORM, stalled(now - 120_000 + k * 10_000, 1800))
                      .statusCode())
              .isEqualTo(200);
        }
        await().until(() -> c.head().samples() >= 12);
        RuleEngine.GroupState g = c.rules().groups().get(0);
        Rule.Alerting rule = (Rule.Alerting) GROUP.rules().get(0);
        c.evaluate(g, now);
        assertThat(g.alerts(rule).alerts(AlertState.State.PENDING)).hasSize(1);
        assertThat(held(am)).isNull(); // pending alerts are not sent
        c.evaluate(g, now + 61_000);
        assertThat(g.alerts(rule).alerts(AlertState.State.FIRING)).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(am) != null);
        JsonNode a = held(am);
        assertThat(a.path("labels").path("tenant").asText()).isEqualTo("acme");
        assertThat(a.path("labels").path("risk").asText()).isEqualTo("inventory_accuracy");
        assertThat(a.path("annotations").path("impact").asText()).startsWith("Stores may sell");
        startsAt = a.path("startsAt").asText();
      }
      // a new collector on the same database: the alert is firing at once, no new "for" wait
      try (Collector again = start(am)) {
        RuleEngine.GroupState g = again.rules().groups().get(0);
        Rule.Alerting rule = (Rule.Alerting) GROUP.rules().get(0);
        assertThat(g.alerts(rule).alerts(AlertState.State.FIRING)).hasSize(1);
        again.evaluate(g, now + 90_000);
        assertThat(g.alerts(rule).alerts(AlertState.State.FIRING)).hasSize(1);
        assertThat(held(am)).isNotNull();
        assertThat(held(am).path("startsAt").asText()).isEqualTo(startsAt); // never resolved
        // the queue catches up: resolved, and Alertmanager is told
        assertThat(Otlp.post(again.port(), PLATFORM, stalled(now + 95_000, 0)).statusCode())
            .isEqualTo(200);
        await().until(() -> again.head().samples() >= 13);
        again.evaluate(g, now + 100_000);
        assertThat(g.alerts(rule).alerts(AlertState.State.INACTIVE)).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(am) == null);
      }
    }
  }

  private static io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest stalled(
      long time, double value) {
    var r = Otlp.gauge("acme", "queue_age", "s", time, 1);
    var b = r.toBuilder();
    var point =
        r
            .getResourceMetrics(0)
            .getScopeMetrics(0)
            .getMetrics(0)
            .getGauge()
            .getDataPoints(0)
            .toBuilder()
            .setAsDouble(value);
    b.getResourceMetricsBuilder(0)
        .getScopeMetricsBuilder(0)
        .getMetricsBuilder(0)
        .getGaugeBuilder()
        .setDataPoints(0, point);
    return b.build();
  }
}
