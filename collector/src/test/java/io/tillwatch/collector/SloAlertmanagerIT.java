package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The built-in order-capture SLO end to end on real servers: Traefik-shaped traffic with a 5xx
 * burst pages at a real Alertmanager with the burn rate, the budget left and the time to
 * exhaustion; the status API shows the SLO at risk, and a tenant's token sees only its tenant.
 */
class SloAlertmanagerIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<String, Tenant> ESTATE =
      Map.of(
          "acme",
          new Tenant(
              "acme", "Acme", Tier.DEDICATED, ZoneId.of("Europe/Berlin"), BusinessHours.always()),
          "globex",
          new Tenant(
              "globex", "Globex", Tier.SHARED, ZoneId.of("Europe/Paris"), BusinessHours.always()));

  private static JsonNode slos(Backend c, String token) throws Exception {
    HttpResponse<String> r =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/api/v1/slos"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("data");
  }

  private static JsonNode row(JsonNode rows, String tenant, String slo) {
    for (JsonNode r : rows) {
      if (r.path("tenant").asText().equals(tenant) && r.path("slo").asText().equals(slo)) {
        return r;
      }
    }
    return null;
  }

  private static JsonNode paged(AlertmanagerServer am) throws Exception {
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (a.path("labels").path("alertname").asText().equals("OrderCaptureSLOBurnRate")
          && a.path("labels").path("severity").asText().equals("page")) {
        return a;
      }
    }
    return null;
  }

  @Test
  @Timeout(300)
  void aFiveHundredBurstPagesWithBudgetLeftAndTimeToExhaustion() throws Exception {
    PG.createDatabase("sloam");
    try (AlertmanagerServer am = AlertmanagerServer.start()) {
      CollectorConfig config =
          TestCollectors.config(
                  PG.server(),
                  "sloam",
                  Duration.ofHours(1),
                  new AlertingConfig(
                      List.of(am.url()), Duration.ofMinutes(1), "http://collector", "", 100, ""),
                  QueryConfig.DEFAULT)
              .withBuiltinSlos(true);
      List<RuleGroup> groups = RunningBackend.ruleGroups(config, Files::readString, ESTATE);
      assertThat(groups)
          .extracting(RuleGroup::name)
          .contains(
              "slo-order-capture-dedicated",
              "slo-order-capture-shared",
              "slo-checkout-latency",
              "slo-recovery-readiness");
      long now = System.currentTimeMillis() / 60_000 * 60_000;
      try (Backend c =
          Backend.start(
              config,
              config.storage().url().orElseThrow(),
              config.storage().user(),
              config.storage().password(),
              groups,
              RunningBackend.sloCatalog(config, Files::readString),
              ESTATE,
              java.time.Clock.systemUTC())) {
        // 40 hours of 1,000 requests a minute; in the last 10 minutes 200 a minute fail:
        // 2,000 of 2.4 million over the window (a 99.9 % objective: 83 % of the budget spent)
        Otlp.postShopTraffic(
            c.port(), PLATFORM, "acme", now, 40 * 60, 1000, m -> m > 2390 ? 200 : 0);
        Otlp.postShopTraffic(c.port(), PLATFORM, "globex", now, 40 * 60, 100, m -> 0);
        await().until(() -> c.queuedSamples() == 0);
        for (RuleEngine.GroupState g : c.rules().groups()) {
          c.evaluate(g, now);
          for (io.tillwatch.rules.Rule r : g.group().rules()) {
            assertThat(g.lastError(r)).as(g.group().name() + " " + r.name()).isNull();
          }
        }

        // the page at Alertmanager: acme only, with the SLO's business fields and figures
        await().atMost(Duration.ofSeconds(30)).until(() -> paged(am) != null);
        JsonNode alert = paged(am);
        assertThat(alert.path("labels").path("tenant").asText()).isEqualTo("acme");
        assertThat(alert.path("labels").path("slo").asText()).isEqualTo("order-capture");
        assertThat(alert.path("labels").path("risk").asText()).isEqualTo("order_capture");
        JsonNode ann = alert.path("annotations");
        assertThat(ann.path("impact").asText()).startsWith("Stores cannot record sales");
        // over the last hour 2,000 of 60,000 failed: 33 times the 0.1 % allowed
        assertThat(Double.parseDouble(ann.path("burn_rate").asText()))
            .isCloseTo(33.33, within(0.5));
        // 1 - 2,000 / 2,400,000 / 0.001 of the budget is left
        assertThat(ann.path("budget_remaining").asText()).matches("1[67](\\.\\d+)?%");
        // at 33 times the allowed rate, 16.7 % of 28 days lasts about 3 h 20 min
        assertThat(ann.path("time_to_exhaustion").asText()).matches("3h 2\\d?m \\d+s");
        assertThat(ann.path("runbook_url").asText()).contains("#slo-order-capture");

        // the status API: acme at risk, globex healthy; acme's token sees acme only
        JsonNode rows = slos(c, PLATFORM);
        JsonNode acme = row(rows, "acme", "order-capture");
        assertThat(acme.path("state").asText()).isEqualTo("At risk");
        assertThat(acme.path("objective").asDouble()).isEqualTo(0.999);
        assertThat(acme.path("budget_remaining").asDouble())
            .isCloseTo(1 - 2_000.0 / 2_400_000 / 0.001, within(0.01));
        assertThat(acme.path("time_to_exhaustion_seconds").asLong()).isBetween(11_000L, 13_000L);
        assertThat(row(rows, "globex", "order-capture").path("state").asText())
            .isEqualTo("Healthy");
        JsonNode own = slos(c, ACME);
        assertThat(own).isNotEmpty();
        for (JsonNode r : own) {
          assertThat(r.path("tenant").asText()).isEqualTo("acme");
        }
      }
    }
  }
}
