package io.tillwatch.agent.internal;

import static io.tillwatch.agent.TestAgents.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeTarget;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ScrapeRunnerTest {
  private static final Metric VALUE = Metric.gauge("test_value", "A value.");
  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A fake collector: answers with a counter value, or never, or throws. */
  private static final class InMemoryCollector implements Collector {
    final String name;
    final String mode;
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean closed;

    InMemoryCollector(String name, String mode) {
      this.name = name;
      this.mode = mode;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Future<List<Sample>> collect() {
      int n = calls.incrementAndGet();
      return switch (mode) {
        case "hang" -> Promise.<List<Sample>>promise().future();
        case "throw" -> throw new IllegalStateException("bug");
        case "duplicate" ->
            Future.succeededFuture(
                List.of(
                    VALUE.sample(Labels.of("a", "1"), 1), VALUE.sample(Labels.of("a", "1"), 2)));
        default -> Future.succeededFuture(List.of(VALUE.sample(Labels.of("tenant", "spoofed"), n)));
      };
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private ScrapeTarget target(Collector c) {
    return new ScrapeTarget("acme", "fake", Duration.ofMillis(200), Duration.ofMillis(300), c);
  }

  @Test
  @Timeout(30)
  void hangingAndThrowingCollectorsAreDownWhileTheHealthyOneKeepsItsSchedule() throws Exception {
    InMemoryCollector ok = new InMemoryCollector("ok", "ok");
    InMemoryCollector hang = new InMemoryCollector("hang", "hang");
    InMemoryCollector broken = new InMemoryCollector("broken", "throw");
    InMemoryCollector dup = new InMemoryCollector("dup", "duplicate");
    ScrapeRunner runner =
        new ScrapeRunner(
            vertx, List.of(target(ok), target(hang), target(broken), target(dup)), meters);
    runner.start();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              List<Sample> s = runner.samples();
              assertThat(value(s, "tillwatch_target_up", "target", "ok")).hasValue(1);
              assertThat(value(s, "tillwatch_target_up", "target", "hang")).hasValue(0);
              assertThat(value(s, "tillwatch_target_up", "target", "broken")).hasValue(0);
              assertThat(
                      value(
                          s,
                          "tillwatch_target_last_error_info",
                          "target",
                          "hang",
                          "reason",
                          "timeout"))
                  .hasValue(1);
              assertThat(
                      value(
                          s,
                          "tillwatch_target_last_error_info",
                          "target",
                          "broken",
                          "reason",
                          "error"))
                  .hasValue(1);
            });
    int before = ok.calls.get();
    await().atMost(Duration.ofSeconds(3)).until(() -> ok.calls.get() >= before + 5);
    // the hung scrape is never started again on top of itself; the skipped ones are counted
    assertThat(hang.calls.get()).isEqualTo(1);
    assertThat(meters.get("tillwatch.agent.scrapes.skipped").counter().count()).isGreaterThan(0);
    // the runner's tenant wins over one a collector sets; a duplicated series is kept once
    List<Sample> s = runner.samples();
    assertThat(value(s, "test_value", "target", "ok").orElseThrow()).isGreaterThan(0);
    assertThat(s.stream().filter(x -> x.metric().equals(VALUE)).map(x -> x.labels().get("tenant")))
        .containsOnly("acme");
    assertThat(
            s.stream()
                .filter(x -> x.metric().equals(VALUE) && "dup".equals(x.labels().get("target"))))
        .hasSize(1);

    runner
        .stop(Duration.ofMillis(200))
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    int stoppedAt = ok.calls.get();
    assertThat(ok.closed && hang.closed && broken.closed).isTrue();
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> ok.calls.get() == stoppedAt);
  }

  @Test
  void downTargetExposesNoStaleSamples() throws Exception {
    InMemoryCollector hang = new InMemoryCollector("hang", "hang");
    ScrapeRunner runner = new ScrapeRunner(vertx, List.of(target(hang)), meters);
    runner.start();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> value(runner.samples(), "tillwatch_target_up").isPresent());
    assertThat(runner.samples())
        .extracting(x -> x.metric().name())
        .containsExactlyInAnyOrder(
            "tillwatch_target_last_error_info", "tillwatch_target_up",
            "tillwatch_target_scrape_duration_seconds",
                "tillwatch_target_last_scrape_timestamp_seconds");
    runner.stop(Duration.ZERO).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void seriesAScrapeNoLongerHasArePushedAsStaleMarkers() {
    io.tillwatch.model.Metric m =
        new io.tillwatch.model.Metric(
            "tillwatch_pg_replication_streaming", io.tillwatch.model.MetricType.GAUGE, "streaming");
    io.tillwatch.model.Sample a =
        new io.tillwatch.model.Sample(m, io.tillwatch.model.Labels.of("standby", "a"), 1);
    io.tillwatch.model.Sample b =
        new io.tillwatch.model.Sample(m, io.tillwatch.model.Labels.of("standby", "b"), 1);
    java.util.List<io.tillwatch.model.Sample> pushed =
        ScrapeRunner.withStaleMarkers(java.util.List.of(a, b), java.util.List.of(a));
    org.assertj.core.api.Assertions.assertThat(pushed).hasSize(2);
    org.assertj.core.api.Assertions.assertThat(pushed.get(1).labels()).isEqualTo(b.labels());
    org.assertj.core.api.Assertions.assertThat(
            io.tillwatch.promql.SeriesSource.isStale(pushed.get(1).value()))
        .isTrue();
    org.assertj.core.api.Assertions.assertThat(
            ScrapeRunner.withStaleMarkers(java.util.List.of(a), java.util.List.of(a, b)))
        .containsExactly(a, b);
    // encoded as OTLP's "no recorded value"
    var req =
        io.tillwatch.agent.push.OtlpEncoder.encode(
            java.util.List.of(new io.tillwatch.agent.push.OtlpEncoder.Scrape(1000, pushed)));
    var points =
        req.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge().getDataPointsList();
    org.assertj.core.api.Assertions.assertThat(points.get(0).getFlags()).isZero();
    org.assertj.core.api.Assertions.assertThat(points.get(1).getFlags())
        .isEqualTo(
            io.opentelemetry.proto.metrics.v1.DataPointFlags
                .DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE);
  }
}
