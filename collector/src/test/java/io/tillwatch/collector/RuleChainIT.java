package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.query.HeadSource;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rule groups in the collector with Prometheus's semantics: an alert reads what the recording rule
 * before it wrote at the same evaluation (promtool and {@code rules test} agree, see
 * promtool-suite/pass_record_then_alert_same_group.yml), and a series a recording rule no longer
 * gives is marked stale at once.
 */
class RuleChainIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String RULES =
      """
      groups:
        - name: chain
          rules:
            - record: tenant:queue_backlog:sum
              expr: sum by (tenant) (queue_backlog)
            - alert: BacklogHigh
              expr: tenant:queue_backlog:sum > 100
      """;

  private static void post(int port, long time, double value) {
    Metric.Builder m =
        Metric.newBuilder()
            .setName("queue_backlog")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .addAttributes(Otlp.attr("channel", "root.stock_sync"))
                            .setTimeUnixNano(time * 1_000_000L)
                            .setAsDouble(value)));
    assertThat(Otlp.post(port, PLATFORM, Otlp.request("acme", m)).statusCode()).isEqualTo(200);
  }

  private static List<Value.Sample> query(Backend c, String expr, long time) {
    return ((Value.Vector)
            Evaluator.instant(new HeadSource(c.head(), TenantScope.all()), time)
                .eval(Parser.parse(expr), time))
        .samples();
  }

  @Test
  @Timeout(120)
  void anAlertReadsTheRecordingRuleBeforeItAtTheSameEvaluation() throws Exception {
    PG.createDatabase("chain");
    List<RuleGroup> groups = RuleFileLoader.ofText().load(Path.of("chain.yml"), RULES);
    // evaluations here are the test's, not the timer's
    CollectorConfig config =
        TestCollectors.config(
            PG.server(), "chain", Duration.ofHours(1), AlertingConfig.NONE, QueryConfig.DEFAULT);
    long t = (System.currentTimeMillis() / 60_000) * 60_000 - 600_000;
    try (Backend c = TestCollectors.start(config, groups, Map.of())) {
      post(c.port(), t, 150);
      await().until(() -> c.head().samples() >= 1);
      RuleEngine.GroupState g = c.rules().groups().get(0);
      Rule.Alerting alert = (Rule.Alerting) g.group().rules().get(1);

      c.evaluate(g, t);
      // fires at this very evaluation: the recording rule's result was visible to it
      assertThat(g.alerts(alert).alerts(AlertState.State.FIRING))
          .singleElement()
          .satisfies(a -> assertThat(a.labels().get("tenant")).isEqualTo("acme"));
      assertThat(g.lastError(alert)).isNull();
      await().until(() -> query(c, "tenant:queue_backlog:sum", t).size() == 1);

      // the backlog series goes away: the recorded series is stale at once, the alert resolves
      post(c.port(), t + 60_000, Double.longBitsToDouble(SeriesSource.STALE_NAN_BITS));
      await().until(() -> c.head().samples() >= 4);
      c.evaluate(g, t + 60_000);
      assertThat(g.alerts(alert).alerts(AlertState.State.FIRING)).isEmpty();
      await().until(() -> query(c, "tenant:queue_backlog:sum", t + 61_000).isEmpty());
    }
  }
}
