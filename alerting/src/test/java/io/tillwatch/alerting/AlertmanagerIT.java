package io.tillwatch.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.model.Labels;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.sandbox.AlertmanagerServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Delivery to the real Prometheus Alertmanager (Debian's), on free ports. */
class AlertmanagerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EVAL = Duration.ofSeconds(15);

  private static final Rule.Alerting RULE =
      new Rule.Alerting(
          "StockSyncStalled",
          "tillwatch_odoo_queue_oldest_age_seconds > 600",
          Parser.parse("tillwatch_odoo_queue_oldest_age_seconds > 600"),
          Duration.ZERO,
          Duration.ZERO,
          Map.of("severity", "page"),
          Map.of(
              "summary",
                  "Stock sync of {{ $labels.tenant }} is {{ $value | humanizeDuration }} behind",
              "runbook_url", "https://runbooks.example/stock-sync"),
          Rule.Risk.INVENTORY_ACCURACY,
          "Stores may sell items that are no longer in stock.",
          Rule.During.ALWAYS,
          Map.of());

  private static List<Value.Sample> stalled(String... tenants) {
    List<Value.Sample> out = new ArrayList<>();
    for (String t : tenants) {
      out.add(
          new Value.Sample(
              Labels.of(
                  "__name__",
                  "tillwatch_odoo_queue_oldest_age_seconds",
                  "tenant",
                  t,
                  "channel",
                  "root.stock"),
              1800,
              0));
    }
    return out;
  }

  /** Our alerts Alertmanager holds as active: tenant → the alert's JSON. */
  private static Map<String, JsonNode> held(AlertmanagerServer am) throws Exception {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("labels").path("alertname").asText().equals("StockSyncStalled")
          && a.path("status").path("state").asText().equals("active")) {
        out.put(a.path("labels").path("tenant").asText(), a);
      }
    }
    return out;
  }

  private static void evaluate(
      AlertState state, AlertDelivery delivery, Alertmanagers ams, List<Value.Sample> result) {
    long now = System.currentTimeMillis();
    state.update(result, now, l -> Map.of());
    ams.send(delivery.due(state, now, EVAL));
  }

  @Test
  @Timeout(120)
  void aFiringAlertArrivesWithItsBusinessFieldsAndResolves() throws Exception {
    try (AlertmanagerServer am = AlertmanagerServer.start();
        Alertmanagers ams = new Alertmanagers(List.of(am.url()), 1000, new SimpleMeterRegistry())) {
      AlertState state = new AlertState(RULE);
      AlertDelivery delivery =
          new AlertDelivery(
              Duration.ofMinutes(1),
              "http://collector:4318",
              "https://grafana/d/tenant?var-tenant=");
      evaluate(state, delivery, ams, stalled("acme"));
      await().atMost(Duration.ofSeconds(30)).until(() -> held(am).containsKey("acme"));
      JsonNode a = held(am).get("acme");
      assertThat(a.path("labels").path("severity").asText()).isEqualTo("page");
      assertThat(a.path("labels").path("risk").asText()).isEqualTo("inventory_accuracy");
      assertThat(a.path("labels").path("channel").asText()).isEqualTo("root.stock");
      assertThat(a.path("annotations").path("summary").asText())
          .isEqualTo("Stock sync of acme is 30m 0s behind");
      assertThat(a.path("annotations").path("impact").asText()).startsWith("Stores may sell");
      assertThat(a.path("annotations").path("runbook_url").asText())
          .isEqualTo("https://runbooks.example/stock-sync");
      assertThat(a.path("annotations").path("dashboard").asText())
          .isEqualTo("https://grafana/d/tenant?var-tenant=acme");
      assertThat(a.path("generatorURL").asText())
          .startsWith("http://collector:4318/graph?g0.expr=");
      // a second evaluation within the resend delay sends nothing
      long now = System.currentTimeMillis();
      state.update(stalled("acme"), now, l -> Map.of());
      assertThat(delivery.due(state, now, EVAL)).isEmpty();
      // the condition clears: the resolution is sent at once and Alertmanager no longer holds it
      evaluate(state, delivery, ams, List.of());
      await().atMost(Duration.ofSeconds(30)).until(() -> held(am).isEmpty());
    }
  }

  /**
   * Alertmanager down for {@code tillwatch.faults.alertmanager_down_seconds} (20 here, 600 in
   * {@code bench/faults.sh}) while evaluation goes on: the alerts that fired meanwhile arrive,
   * still firing (their {@code endsAt} ahead), each with the time it started (not re-fired).
   */
  @Test
  @Timeout(1200)
  void alertsFiredWhileAlertmanagerIsDownArriveFiringWhenItReturns() throws Exception {
    long downMs = Long.getLong("tillwatch.faults.alertmanager_down_seconds", 20) * 1000;
    // the pipeline's rhythm scaled to the outage: ten evaluations while it lasts
    Duration every = Duration.ofMillis(Math.max(1000, downMs / 10));
    try (AlertmanagerServer am = AlertmanagerServer.start();
        Alertmanagers ams = new Alertmanagers(List.of(am.url()), 1000, new SimpleMeterRegistry())) {
      AlertState state = new AlertState(RULE);
      AlertDelivery delivery = new AlertDelivery(every, "http://collector:4318", "");
      am.stopProcess();
      long down = System.currentTimeMillis();
      long acmeSince = down;
      long globexSince = -1;
      while (System.currentTimeMillis() < down + downMs) {
        boolean both = System.currentTimeMillis() >= down + downMs / 2;
        if (both && globexSince < 0) {
          globexSince = System.currentTimeMillis(); // globex fires half way through
        }
        long now = System.currentTimeMillis();
        state.update(both ? stalled("acme", "globex") : stalled("acme"), now, l -> Map.of());
        ams.send(delivery.due(state, now, every));
        Thread.sleep(every.toMillis());
      }
      // every resend replaced the queued state of its alert: one each, the newest
      assertThat(ams.queued()).isEqualTo(2);
      am.startProcess();
      long back = System.currentTimeMillis();
      // evaluation goes on as before (the sender's backoff may outlast one resend's validity)
      Map<String, JsonNode> firing = Map.of();
      long nextEvaluation = 0;
      while (!firing.keySet().equals(java.util.Set.of("acme", "globex"))) {
        assertThat(System.currentTimeMillis() - back).as("both alerts back").isLessThan(90_000);
        long now = System.currentTimeMillis();
        if (now >= nextEvaluation) {
          state.update(stalled("acme", "globex"), now, l -> Map.of());
          ams.send(delivery.due(state, now, every));
          nextEvaluation = now + every.toMillis();
        }
        Thread.sleep(200); // looked at five times a second: the figure is the delivery's
        firing = held(am);
      }
      for (String t : List.of("acme", "globex")) {
        JsonNode a = firing.get(t);
        assertThat(java.time.Instant.parse(a.path("endsAt").asText()).toEpochMilli())
            .as("%s still firing", t)
            .isGreaterThan(back);
      }
      assertThat(
              java.time.Instant.parse(firing.get("acme").path("startsAt").asText()).toEpochMilli())
          .isBetween(acmeSince - 1000, acmeSince + every.toMillis() + 1000);
      assertThat(
              java.time.Instant.parse(firing.get("globex").path("startsAt").asText())
                  .toEpochMilli())
          .isBetween(globexSince - 1000, globexSince + every.toMillis() + 1000);
      System.out.printf(
          "Alertmanager down %d s: both alerts arrived firing %d ms after it returned%n",
          downMs / 1000, System.currentTimeMillis() - back);
    }
  }

  @Test
  @Timeout(120)
  void everyAlertmanagerGetsEveryAlert() throws Exception {
    try (AlertmanagerServer one = AlertmanagerServer.start();
        AlertmanagerServer two = AlertmanagerServer.start();
        Alertmanagers ams =
            new Alertmanagers(List.of(one.url(), two.url()), 1000, new SimpleMeterRegistry())) {
      AlertState state = new AlertState(RULE);
      AlertDelivery delivery =
          new AlertDelivery(Duration.ofMinutes(1), "http://collector:4318", "");
      evaluate(state, delivery, ams, stalled("acme", "globex", "initech"));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(held(one).keySet()).containsExactly("acme", "globex", "initech");
                assertThat(held(two).keySet()).containsExactly("acme", "globex", "initech");
              });
    }
  }

  private static Notification page(String tenant, String name, int n) {
    java.time.Instant now = java.time.Instant.now();
    return new Notification(
        Map.of("alertname", name, "tenant", tenant, "n", Integer.toString(n)),
        Map.of(),
        now,
        now.plus(Duration.ofMinutes(10)),
        "http://collector");
  }

  /** The alerts Alertmanager holds, as alertname/tenant/n. */
  private static List<String> all(AlertmanagerServer am) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      JsonNode l = a.path("labels");
      out.add(
          l.path("alertname").asText()
              + "/"
              + l.path("tenant").asText()
              + "/"
              + l.path("n").asText());
    }
    return out;
  }

  @Test
  @Timeout(120)
  void aFloodOfOneTenantNeverPushesOutAnothersPagesAndARefusedAlertGoesAlone() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (AlertmanagerServer am = AlertmanagerServer.start();
        Alertmanagers ams = new Alertmanagers(List.of(am.url()), 10, meters)) {
      am.stopProcess();
      ams.send(List.of(page("quiet", "StandbyStreamBroken", 0)));
      List<Notification> flood = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        flood.add(page("flood", "Flood", i));
      }
      ams.send(flood);
      assertThat(ams.queued()).isEqualTo(10);
      am.startProcess();
      await().atMost(Duration.ofSeconds(60)).until(() -> all(am).size() == 10);
      // the quiet tenant's page is there; the flood kept its newest nine
      assertThat(all(am))
          .contains("StandbyStreamBroken/quiet/0", "Flood/flood/49", "Flood/flood/41");
      assertThat(all(am)).doesNotContain("Flood/flood/40");
      String url = am.url().toString();
      assertThat(
              meters.get("tillwatch.alertmanager.dropped").tag("tenant", "flood").counter().count())
          .isEqualTo(41);
      assertThat(meters.find("tillwatch.alertmanager.dropped").tag("tenant", "quiet").counter())
          .isNull();
      assertThat(
              meters
                  .get("tillwatch.alertmanager.sent")
                  .tag("alertmanager", url)
                  .tag("tenant", "quiet")
                  .counter()
                  .count())
          .isEqualTo(1);

      // one alert Alertmanager refuses (a label name it cannot take) in a batch of good ones:
      // the batch is split until the refused one is alone; only it is dropped
      List<Notification> mixed = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        mixed.add(page("acme", "Good", i));
      }
      java.time.Instant now = java.time.Instant.now();
      mixed.add(
          2,
          new Notification(
              Map.of("alertname", "Bad", "tenant", "careless", "not-a-label", "x"),
              Map.of(),
              now,
              now.plus(Duration.ofMinutes(10)),
              "http://collector"));
      ams.send(mixed);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> all(am).stream().filter(a -> a.startsWith("Good/acme/")).count() == 5);
      await().until(() -> ams.queued() == 0);
      assertThat(
              meters
                  .get("tillwatch.alertmanager.dropped")
                  .tag("tenant", "careless")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }
}
