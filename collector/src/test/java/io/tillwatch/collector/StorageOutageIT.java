package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.promql.Parser;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL stopped under a firing alert: the collector says it is not ready, holds rule
 * evaluation (the alert, whose data ends, stays firing at Alertmanager instead of resolving), sends
 * {@code TillwatchStorageDown}, stops sending the Watchdog; PostgreSQL back: ingest commits,
 * evaluation resumes, {@code TillwatchStorageDown} resolves, the Watchdog fires again.
 */
class StorageOutageIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Rule.Alerting alert(String name, String expr) {
    return new Rule.Alerting(
        name,
        expr,
        Parser.parse(expr),
        Duration.ZERO,
        Duration.ZERO,
        Map.of("severity", "page"),
        Map.of("summary", name),
        Rule.Risk.INVENTORY_ACCURACY,
        "Stores may sell items that are no longer in stock.",
        Rule.During.ALWAYS,
        Map.of());
  }

  /** The alerts Alertmanager holds active, by name. */
  private static List<String> active(AlertmanagerServer am) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("status").path("state").asText().equals("active")) {
        out.add(a.path("labels").path("alertname").asText());
      }
    }
    return out;
  }

  private static int ready(Backend c) throws Exception {
    return Otlp.HTTP
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/-/ready"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static int stalled(Backend c) {
    // the stock sync is 1,800 s behind, now
    return Otlp.post(
            c.port(),
            PLATFORM,
            Otlp.counter("acme", "queue_age", "x", System.currentTimeMillis(), 1800))
        .statusCode();
  }

  @Test
  @Timeout(180)
  void anOutageHoldsAlertsWhereTheyAreAndSaysSo() throws Exception {
    PG.createDatabase("outage");
    RuleGroup group =
        new RuleGroup(
            "outage",
            Duration.ofSeconds(1),
            List.of(
                // data 5 s old is no data: without the hold, the alert would resolve at once
                alert("StockSyncStalled", "max_over_time(queue_age_total[5s]) > 100"),
                alert("Watchdog", "vector(1)")));
    try (AlertmanagerServer am = AlertmanagerServer.start()) {
      CollectorConfig c =
          TestCollectors.config(
              PG.server(),
              "outage",
              Duration.ofSeconds(1),
              new AlertingConfig(
                  List.of(am.url()), Duration.ofSeconds(1), "http://collector", "", 100, ""),
              QueryConfig.DEFAULT);
      try (Backend collector = TestCollectors.start(c, List.of(group), Map.of())) {
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  assertThat(stalled(collector)).isEqualTo(200);
                  return active(am).containsAll(List.of("StockSyncStalled", "Watchdog"));
                });
        PG.server().stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> ready(collector) == 503);
        assertThat(stalled(collector)).isEqualTo(503); // the agent keeps it in its buffer
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> active(am).contains("TillwatchStorageDown"));
        // the Watchdog is no longer sent: it ends at Alertmanager; the stalled sync holds
        await().atMost(Duration.ofSeconds(30)).until(() -> !active(am).contains("Watchdog"));
        Thread.sleep(6_000); // more than the 5 s the alert's data lasts, and its 4 s of validity
        assertThat(active(am)).contains("StockSyncStalled", "TillwatchStorageDown");

        PG.server().start();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> stalled(collector) == 200 && ready(collector) == 200);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  stalled(collector);
                  List<String> now = active(am);
                  return now.contains("Watchdog")
                      && now.contains("StockSyncStalled")
                      && !now.contains("TillwatchStorageDown");
                });
      }
    }
  }
}
