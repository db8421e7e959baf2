package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.query.HeadSource;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
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

  private static Backend start(AlertmanagerServer am) throws Exception {
    return start(am, "alerts", GROUP, Map.of());
  }

  private static Backend start(
      AlertmanagerServer am, String db, RuleGroup group, Map<String, Tenant> tenants)
      throws Exception {
    CollectorConfig c =
        TestCollectors.config(
            PG.server(),
            db,
            Duration.ofMinutes(1),
            new AlertingConfig(
                List.of(am.url()), Duration.ofMinutes(1), "http://collector", "", 100, ""),
            QueryConfig.DEFAULT);
    return TestCollectors.start(c, List.of(group), tenants);
  }

  private static JsonNode held(AlertmanagerServer am) throws Exception {
    return held(am, "acme");
  }

  private static JsonNode held(AlertmanagerServer am, String tenant) throws Exception {
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("labels").path("alertname").asText().equals("StockSyncStalled")
          && a.path("labels").path("tenant").asText().equals(tenant)
          && a.path("status").path("state").asText().equals("active")) {
        return a;
      }
    }
    return null;
  }

  /** {@code expr} over the collector's head at {@code time}. */
  private static List<Value.Sample> query(Backend c, String expr, long time) {
    Value v =
        Evaluator.instant(new HeadSource(c.head(), io.tillwatch.model.TenantScope.all()), time)
            .eval(Parser.parse(expr), time);
    return ((Value.Vector) v).samples();
  }

  @Test
  @Timeout(180)
  void firesAtAlertmanagerStaysFiringAcrossARestartAndResolves() throws Exception {
    PG.createDatabase("alerts");
    // evaluation times in the recent past, so that Alertmanager sees a resolution as ended
    long now = (System.currentTimeMillis() / 1000) * 1000 - 200_000;
    try (AlertmanagerServer am = AlertmanagerServer.start()) {
      String startsAt;
      try (Backend c = start(am)) {
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
        await().until(() -> query(c, "ALERTS{alertstate=\"pending\"}", now).size() == 1);
        Value.Sample forState = query(c, "ALERTS_FOR_STATE", now).get(0);
        assertThat(forState.value()).isEqualTo(now / 1000.0);
        assertThat(forState.labels().get("alertname")).isEqualTo("StockSyncStalled");
        c.evaluate(g, now + 61_000);
        assertThat(g.alerts(rule).alerts(AlertState.State.FIRING)).hasSize(1);
        await()
            .until(
                () ->
                    query(c, "ALERTS{alertname=\"StockSyncStalled\"}", now + 61_000).stream()
                        .anyMatch(x -> "firing".equals(x.labels().get("alertstate"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> held(am) != null);
        JsonNode a = held(am);
        assertThat(a.path("labels").path("tenant").asText()).isEqualTo("acme");
        assertThat(a.path("labels").path("risk").asText()).isEqualTo("inventory_accuracy");
        assertThat(a.path("annotations").path("impact").asText()).startsWith("Stores may sell");
        startsAt = a.path("startsAt").asText();
      }
      // a saved alert spoiled by hand: skipped (and logged), the collector starts all the same
      try (java.sql.Connection db = PG.server().connect("alerts");
          java.sql.Statement st = db.createStatement()) {
        st.execute(
            "INSERT INTO alert_state (rule_group, alertname, labels, annotations, state, active_at,"
                + " fired_at, resolved_at, keep_firing_since, value, last_sent_at) VALUES"
                + " ('stock-sync', 'StockSyncStalled', '{\"tenant\": \"globex\"}', '{}',"
                + " 'HALF_FIRING', 0, 0, 0, 0, 1, 0)");
      }
      // a new collector on the same database: the alert is firing at once, no new "for" wait
      try (Backend again = start(am)) {
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
        // ALERTS ends with a stale marker: gone at once, not 5 minutes later
        await().until(() -> query(again, "ALERTS", now + 100_000).isEmpty());
        assertThat(query(again, "ALERTS", now + 90_000)).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(am) == null);
      }
    }
  }

  @Test
  @Timeout(120)
  void duringBusinessHoursPagesOnlyTenantsWhoseStoresAreOpenInTheirOwnTimeZone() throws Exception {
    PG.createDatabase("hours");
    Rule.Alerting base = (Rule.Alerting) GROUP.rules().get(0);
    RuleGroup group =
        new RuleGroup(
            "stock-sync",
            Duration.ofMinutes(1),
            List.of(
                new Rule.Alerting(
                    base.name(),
                    base.exprText(),
                    base.expr(),
                    Duration.ZERO,
                    Duration.ZERO,
                    base.labels(),
                    base.annotations(),
                    base.risk(),
                    base.impact(),
                    Rule.During.BUSINESS_HOURS,
                    Map.of())));
    Instant instant = Instant.now();
    // Berlin's stores opened an hour ago; Auckland's open in three hours, whatever the day
    Tenant berlin = tenant("berlin", ZoneId.of("Europe/Berlin"), instant, -1, 1);
    Tenant auckland = tenant("auckland", ZoneId.of("Pacific/Auckland"), instant, 3, 5);
    long now = instant.toEpochMilli();
    try (AlertmanagerServer am = AlertmanagerServer.start();
        Backend c = start(am, "hours", group, Map.of("berlin", berlin, "auckland", auckland))) {
      for (String t : List.of("berlin", "auckland")) {
        assertThat(Otlp.post(c.port(), PLATFORM, stalled(t, now - 10_000, 1800)).statusCode())
            .isEqualTo(200);
      }
      await().until(() -> c.head().samples() >= 2);
      RuleEngine.GroupState g = c.rules().groups().get(0);
      c.evaluate(g, now);
      await().atMost(Duration.ofSeconds(30)).until(() -> held(am, "berlin") != null);
      // both would have gone in the same notification: Auckland's is not at Alertmanager
      assertThat(held(am, "auckland")).isNull();
      assertThat(g.alerts((Rule.Alerting) group.rules().get(0)).alerts())
          .extracting(x -> x.labels().get("tenant"))
          .containsExactly("berlin");
    }
  }

  /** A tenant whose stores are open every day from {@code from} to {@code to} hours from now. */
  private static Tenant tenant(String id, ZoneId zone, Instant now, int from, int to) {
    LocalTime local = now.atZone(zone).toLocalTime().withSecond(0).withNano(0);
    DateTimeFormatter hm = DateTimeFormatter.ofPattern("HH:mm");
    return new Tenant(
        id,
        id,
        Tier.SHARED,
        zone,
        BusinessHours.parse(
            "Mon-Sun " + local.plusHours(from).format(hm) + "-" + local.plusHours(to).format(hm)));
  }

  private static io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest stalled(
      long time, double value) {
    return stalled("acme", time, value);
  }

  private static io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest stalled(
      String tenant, long time, double value) {
    var r = Otlp.gauge(tenant, "queue_age", "s", time, 1);
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
