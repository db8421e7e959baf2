package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.WeeklyReport;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recovery readiness in the weekly report includes the restore drills the agent reads from a drill
 * job's status file: the newest good drill, and its duration against the tier's recovery time
 * objective (a dedicated tenant: 1 hour).
 */
class RestoreDrillReportIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final String TOKEN = TestCollectors.PLATFORM;

  private static Metric.Builder gauge(String name, long at, double value) {
    return Metric.newBuilder()
        .setName(name)
        .setGauge(
            Gauge.newBuilder()
                .addDataPoints(
                    NumberDataPoint.newBuilder()
                        .addAttributes(Otlp.attr("job", "restore-drill"))
                        .setTimeUnixNano(at * 1_000_000L)
                        .setAsDouble(value)));
  }

  @Test
  void theNewestGoodDrillAndItsDurationAgainstTheRto() throws Exception {
    PG.createDatabase("drills");
    CollectorConfig c = TestCollectors.config(PG.server(), "drills", 1_000_000);
    Tenant acme =
        new Tenant("acme", "Acme", Tier.DEDICATED, ZoneOffset.UTC, BusinessHours.always());
    long now = System.currentTimeMillis() / 60_000 * 60_000;
    long drill = now / 1000 - 3 * 86_400; // three days ago, 95 minutes
    try (Backend b =
        Backend.start(
            c,
            c.storage().url().orElseThrow(),
            c.storage().user(),
            c.storage().password(),
            List.of(),
            Map.of("acme", acme))) {
      assertThat(
              Otlp.post(
                      b.port(),
                      TOKEN,
                      Otlp.request(
                          "acme",
                          gauge(
                              "tillwatch_backup_restore_test_last_success_timestamp_seconds",
                              now - 60_000,
                              drill),
                          gauge("tillwatch_backup_restore_duration_seconds", now - 60_000, 5700)))
                  .statusCode())
          .isEqualTo(200);
      b.settle(Duration.ofSeconds(30));
      WeeklyReport.Readiness r =
          b.reportFacts()
              .tenant(
                  "acme",
                  IsoWeek.of(LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC)))
              .signals()
              .orElseThrow()
              .readiness();
      assertThat(r.lastDrill()).hasValue(Instant.ofEpochSecond(drill));
      assertThat(r.drillDuration()).hasValue(Duration.ofMinutes(95));
      assertThat(r.rto()).isEqualTo(Duration.ofHours(1));
      assertThat(r.withinRto()).hasValue(false);
    }
  }
}
