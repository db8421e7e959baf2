package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The built-in pack as the collector runs it by default: OrderIntakeStopped compares the last 30
 * minutes with the same 30 minutes a week ago, which only storage holds (the head keeps 3 hours).
 */
class BuiltinPackIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final String TOKEN = "platform-token";
  private static final long MINUTE = 60_000L;
  private static final long WEEK = 7 * 24 * 60 * MINUTE;

  @Test
  void orderIntakeStoppedComparesWithLastWeekFromStorage() throws Exception {
    PostgresServer pg = PG.server();
    String url = PG.createDatabase("pack");
    CollectorConfig config =
        new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            new StorageConfig(
                Optional.of(url),
                PostgresServer.SUPERUSER,
                Secret.of(pg.superuserPassword()),
                StorageConfig.DEFAULT_RETENTION,
                Path.of("unused")),
            CollectorConfig.DEFAULT_HEAD,
            List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
            CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
            List.of(),
            true,
            Duration.ofMinutes(1),
            AlertingConfig.NONE);
    Map<String, Tenant> tenants =
        Map.of(
            "acme", open("acme"),
            "globex", open("globex"));
    long now = System.currentTimeMillis();
    PrintWriter quiet = new PrintWriter(new StringWriter());
    // last week, both sold: written by a collector that has since been restarted
    try (RunningBackend lastWeek = start(config, Map.of(), quiet)) {
      for (String tenant : List.of("acme", "globex")) {
        post(lastWeek.backend().port(), orders(tenant, now - WEEK - 40 * MINUTE, 41, true));
      }
    }
    try (RunningBackend running = start(config, tenants, quiet)) {
      var c = running.backend();
      // this week acme's counter stands still, globex's goes on
      for (String tenant : List.of("acme", "globex")) {
        post(c.port(), orders(tenant, now - 40 * MINUTE, 41, tenant.equals("globex")));
      }
      // the head holds this week only: last week is in storage alone
      await().until(() -> c.head().samples() >= 2 * 41);
      assertThat(c.headLoadedSamples()).isZero();
      assertThat(c.head().samples()).isEqualTo(2 * 41);
      RuleEngine.GroupState odoo =
          c.rules().groups().stream()
              .filter(g -> g.group().name().equals("tillwatch-odoo"))
              .findFirst()
              .orElseThrow();
      Rule.Alerting rule =
          odoo.group().rules().stream()
              .filter(r -> r.name().equals("OrderIntakeStopped"))
              .map(Rule.Alerting.class::cast)
              .findFirst()
              .orElseThrow();
      c.evaluate(odoo, now);
      assertThat(odoo.lastError(rule)).isNull();
      List<AlertState.Alert> alerts = odoo.alerts(rule).alerts(AlertState.State.PENDING);
      assertThat(alerts).extracting(a -> a.labels().get("tenant")).containsExactly("acme");
      assertThat(alerts.get(0).labels().get("risk")).isEqualTo("order_capture");
    }
  }

  private static Tenant open(String id) {
    return new Tenant(id, id, Tier.SHARED, ZoneId.of("Europe/Berlin"), BusinessHours.always());
  }

  /** A minute-by-minute order counter; {@code selling}: it rises, else it stands at 100. */
  private static ExportMetricsServiceRequest orders(
      String tenant, long from, int points, boolean selling) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(Otlp.attr("source", "sale"))
              .setTimeUnixNano((from + i * MINUTE) * 1_000_000L)
              .setAsDouble(selling ? 100 + 3 * i : 100));
    }
    return Otlp.request(
        tenant, Metric.newBuilder().setName("tillwatch_odoo_orders_total").setGauge(g));
  }

  private static void post(int port, ExportMetricsServiceRequest r) {
    var resp = Otlp.post(port, TOKEN, r);
    assertThat(resp.statusCode()).as(new String(resp.body())).isEqualTo(200);
  }

  private static RunningBackend start(
      CollectorConfig config, Map<String, Tenant> tenants, PrintWriter out) throws Exception {
    return RunningBackend.start(
        config,
        RunningBackend.ruleGroups(config, java.nio.file.Files::readString),
        io.tillwatch.slo.SloCatalog.EMPTY,
        tenants,
        RunningBackend.Binaries.DEFAULT,
        out);
  }
}
