package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The release guard end to end: deploy events of three tenants, order intake around them this week
 * and at the same time a week earlier, the guard's verdicts on the events, and the built-in pack's
 * {@code ReleaseDegradedOrderIntake} at a real Alertmanager for the one release that halved orders
 * — not for a release that changed nothing, nor for one followed by the dip that came at that hour
 * a week earlier too.
 */
class ReleaseGuardIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MINUTE = 60_000;
  private static final long WEEK = 7 * 24 * 60 * MINUTE;

  /**
   * Orders of {@code tenant} a minute apart over {@code [from, to]}, {@code perMinute.apply(t)} a
   * minute, as the cumulative counter {@code tillwatch_odoo_orders_total{source="pos"}}.
   */
  private static void orders(
      int port, String tenant, long from, long to, LongToIntFunction perMinute) {
    Sum.Builder sum =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    double total = 0;
    for (long t = from; t <= to; t += MINUTE) {
      total += perMinute.applyAsInt(t);
      sum.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(Otlp.attr("source", "pos"))
              .setTimeUnixNano(t * 1_000_000L)
              .setAsDouble(total));
    }
    ExportMetricsServiceRequest r =
        Otlp.request(tenant, Metric.newBuilder().setName("tillwatch_odoo_orders").setSum(sum));
    assertThat(Otlp.post(port, PLATFORM, r).statusCode()).isEqualTo(200);
  }

  private static JsonNode http(Backend c, String method, String path, String body)
      throws Exception {
    HttpResponse<String> r =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + path))
                .header("Authorization", "Bearer " + PLATFORM)
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("data");
  }

  private static List<JsonNode> releaseAlerts(AlertmanagerServer am) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("labels").path("alertname").asText().startsWith("ReleaseDegraded")) {
        out.add(a);
      }
    }
    return out;
  }

  @Test
  @Timeout(300)
  void aReleaseThatHalvesOrdersPagesAndHealthyOnesGetANote() throws Exception {
    PG.createDatabase("releases");
    try (AlertmanagerServer am = AlertmanagerServer.start()) {
      CollectorConfig config =
          TestCollectors.config(
                  PG.server(),
                  "releases",
                  Duration.ofHours(1),
                  new AlertingConfig(
                      List.of(am.url()), Duration.ofMinutes(1), "http://collector", "", 100, ""),
                  QueryConfig.DEFAULT)
              .withBuiltinSlos(false);
      long now = System.currentTimeMillis() / MINUTE * MINUTE;
      long deploy = now - 32 * MINUTE; // its 30 minutes have passed, and a minute to settle
      try (Backend c =
          Backend.start(
              config,
              config.storage().url().orElseThrow(),
              config.storage().user(),
              config.storage().password(),
              new io.tillwatch.rules.RuleFileLoader(Files::readString).loadBuiltin(),
              Map.of())) {
        // acme: 4 orders a minute, 2 after its release; globex: 4 throughout; initech: 4, and 1
        // in the half hour after its release — as at that hour a week earlier (a weekly dip)
        for (long base : List.of(deploy - WEEK, deploy)) {
          long from = base - 35 * MINUTE;
          long to = base == deploy ? now : base + 35 * MINUTE;
          boolean thisWeek = base == deploy;
          orders(c.port(), "acme", from, to, t -> thisWeek && t > base ? 2 : 4);
          orders(c.port(), "globex", from, to, t -> 4);
          orders(c.port(), "initech", from, to, t -> t > base && t <= base + 30 * MINUTE ? 1 : 4);
        }
        for (String tenant : List.of("acme", "globex", "initech")) {
          http(
              c,
              "POST",
              "/api/v1/events",
              "{\"type\": \"deploy\", \"tenant\": \"%s\", \"service\": \"odoo\",".formatted(tenant)
                  + " \"version\": \"17.0.20261202\", \"at\": %d}".formatted(deploy / 1000));
        }
        c.settle(Duration.ofSeconds(60));

        assertThat(c.releaseGuard().orElseThrow().run()).isEqualTo(3);
        assertThat(c.releaseGuard().orElseThrow().check().ok()).isTrue();
        assertThat(c.releaseGuard().orElseThrow().run()).isZero(); // each judged once

        // the verdicts on the events
        JsonNode events = http(c, "GET", "/api/v1/events?type=deploy", null);
        assertThat(events).hasSize(3);
        for (JsonNode e : events) {
          JsonNode v = e.path("verdict");
          String text = v.path("text").asText();
          switch (e.path("tenant").asText()) {
            case "acme" -> {
              assertThat(v.path("healthy").asBoolean()).isFalse();
              assertThat(text)
                  .startsWith("release degraded order intake:")
                  .contains("60 orders in the 30m after")
                  .contains("120 orders before")
                  .contains("120 orders a week earlier");
            }
            case "globex" -> {
              assertThat(v.path("healthy").asBoolean()).isTrue();
              assertThat(text).startsWith("release looked healthy:").contains("120 orders before");
            }
            default -> {
              // fewer orders than before the release, as many as a week earlier: the dip of the
              // hour, no degradation
              assertThat(v.path("healthy").asBoolean()).as(text).isTrue();
              assertThat(text)
                  .startsWith("release looked healthy:")
                  .contains("30 orders in the 30m after")
                  .contains("30 orders a week earlier");
            }
          }
        }

        // the week's report lists the release and its verdict
        List<io.tillwatch.alerting.report.WeeklyReport.Release> listed =
            c.reportFacts()
                .tenant(
                    "acme",
                    io.tillwatch.alerting.report.IsoWeek.of(
                        java.time.LocalDate.ofInstant(
                            java.time.Instant.ofEpochMilli(deploy), java.time.ZoneOffset.UTC)))
                .releases();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).version()).isEqualTo("17.0.20261202");
        assertThat(listed.get(0).healthy()).hasValue(false);
        assertThat(listed.get(0).verdict()).startsWith("release degraded order intake");

        // the alert at Alertmanager: acme's only, with the version and the figures
        c.settle(Duration.ofSeconds(30));
        long later = System.currentTimeMillis();
        for (RuleEngine.GroupState g : c.rules().groups()) {
          if (g.group().name().equals("tillwatch-releases")) {
            c.evaluate(g, later);
            for (io.tillwatch.rules.Rule r : g.group().rules()) {
              assertThat(g.lastError(r)).as(r.name()).isNull();
            }
          }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !releaseAlerts(am).isEmpty());
        List<JsonNode> alerts = releaseAlerts(am);
        assertThat(alerts).hasSize(1);
        JsonNode alert = alerts.get(0);
        assertThat(alert.path("labels").path("alertname").asText())
            .isEqualTo("ReleaseDegradedOrderIntake");
        assertThat(alert.path("labels").path("tenant").asText()).isEqualTo("acme");
        assertThat(alert.path("labels").path("version").asText()).isEqualTo("17.0.20261202");
        assertThat(alert.path("labels").path("risk").asText()).isEqualTo("order_capture");
        assertThat(alert.path("annotations").path("description").asText())
            .isEqualTo(
                "60 orders in the 30m after the release, 120 orders in the 30m before,"
                    + " 120 at the same time a week earlier.");
        assertThat(alert.path("annotations").path("impact").asText()).startsWith("Orders stopped");
      }
    }
  }
}
