package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.query.HeadSource;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import io.tillwatch.testkit.SloFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SLO file in the collector: its rules run as a rule group over ingested traffic, the SLO's
 * series are recorded per tenant, and an outage pages for the busy tenant only.
 */
class SloCollectorIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @TempDir Path dir;

  private static JsonNode slos(Backend c, String token, long at) throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:" + c.port() + "/api/v1/slos?at=" + at / 1000.0))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("data");
  }

  private static double value(Backend c, String expr, long time) {
    List<Value.Sample> s =
        ((Value.Vector)
                Evaluator.instant(new HeadSource(c.head(), TenantScope.all()), time)
                    .eval(Parser.parse(expr), time))
            .samples();
    assertThat(s).as(expr).hasSize(1);
    return s.getFirst().value();
  }

  @Test
  @Timeout(180)
  void anOutagePagesForTheBusyTenantAndTheSloSeriesAreRecorded() throws Exception {
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, SloFiles.ORDER_CAPTURE);
    PG.createDatabase("slo");
    CollectorConfig base =
        TestCollectors.config(
            PG.server(), "slo", Duration.ofHours(1), AlertingConfig.NONE, QueryConfig.DEFAULT);
    CollectorConfig config = base.withSloFiles(List.of(slos));
    List<RuleGroup> groups = RunningBackend.ruleGroups(config, Files::readString);
    assertThat(groups).extracting(RuleGroup::name).containsExactly("slo-order-capture");
    long now = System.currentTimeMillis() / 60_000 * 60_000;
    try (Backend c = TestCollectors.start(config, groups, Map.of())) {
      // two hours a minute apart: acme 100 good a minute and, in the last hour, 50 failing;
      // quiet 0.3 a minute, failing in the last hour (54 events in all: under min_events)
      Otlp.postOutage(c.port(), PLATFORM, "acme", "quiet", now);
      await().until(() -> c.head().samples() >= 4 * 121);
      RuleEngine.GroupState g = c.rules().groups().getFirst();
      c.evaluate(g, now);
      // the page rule and the ticket rule (one alert name, two severities)
      List<Rule.Alerting> burn =
          g.group().rules().stream()
              .filter(r -> r instanceof Rule.Alerting)
              .map(r -> (Rule.Alerting) r)
              .toList();
      assertThat(burn).hasSize(2);
      List<AlertState.Alert> firing = new java.util.ArrayList<>();
      for (Rule.Alerting r : burn) {
        assertThat(g.lastError(r)).isNull();
        firing.addAll(g.alerts(r).alerts(AlertState.State.FIRING));
      }
      assertThat(firing)
          .extracting(a -> a.labels().get("tenant") + "/" + a.labels().get("severity"))
          .containsExactlyInAnyOrder("acme/page", "acme/ticket");
      assertThat(firing.getFirst().labels().get("risk")).isEqualTo("order_capture");
      assertThat(firing.getFirst().annotations().get("impact"))
          .isEqualTo("Stores cannot record sales");
      // the recorded series: a third of acme's last-hour requests failed
      await()
          .until(
              () ->
                  Math.abs(
                          value(c, "slo:sli_error:ratio_rate1h{tenant=\"acme\"}", now + 1000)
                              - 50.0 / 150)
                      < 0.01);
      assertThat(value(c, "slo:objective:ratio{tenant=\"acme\"}", now + 1000)).isEqualTo(0.99);
      assertThat(value(c, "slo:current_burn_rate:ratio{tenant=\"acme\"}", now + 1000))
          .isGreaterThan(13.44);

      // the status API: every tenant for the platform, only its own for a tenant's token
      JsonNode all = slos(c, PLATFORM, now + 1000);
      assertThat(all).hasSize(2);
      JsonNode acme = all.get(0);
      assertThat(acme.path("tenant").asText()).isEqualTo("acme");
      assertThat(acme.path("slo").asText()).isEqualTo("order-capture");
      assertThat(acme.path("objective").asDouble()).isEqualTo(0.99);
      assertThat(acme.path("window").asText()).isEqualTo("28d");
      // two hours in the window, 3,000 of 15,000 requests failed: 20 budgets spent
      assertThat(acme.path("attained").asDouble()).isCloseTo(0.8, within(1e-6));
      assertThat(acme.path("budget_remaining").asDouble()).isCloseTo(-19, within(1e-4));
      assertThat(acme.path("burn_rates").path("1h").asDouble()).isCloseTo(100.0 / 3, within(1e-4));
      assertThat(acme.path("state").asText()).isEqualTo("Exhausted");
      assertThat(acme.path("time_to_exhaustion_seconds").asLong()).isZero();
      JsonNode own = slos(c, TestCollectors.ACME, now + 1000);
      assertThat(own).hasSize(1);
      assertThat(own.get(0).path("tenant").asText()).isEqualTo("acme");
    }
  }
}
