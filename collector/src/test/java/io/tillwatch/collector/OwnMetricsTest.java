package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tillwatch.model.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OwnMetricsTest {
  /**
   * Each kind of meter a component registers: the samples are exactly those its /metrics shows in
   * the text format (names, labels, values), plus the extra labels, minus the names left out.
   */
  @Test
  void theSamplesAreWhatTheTextFormatShows() throws Exception {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("tw.sent").tag("tenant", "acme").register(meters).increment(3);
    AtomicLong queue = new AtomicLong(12);
    Gauge.builder("tw.queue.bytes", queue, AtomicLong::get).register(meters);
    Timer t =
        Timer.builder("tw.duration")
            .tag("rule_group", "g")
            .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofSeconds(1))
            .register(meters);
    t.record(Duration.ofMillis(50));
    t.record(Duration.ofMillis(500));
    t.record(Duration.ofSeconds(3));
    DistributionSummary.builder("tw.size")
        .baseUnit("bytes")
        .publishPercentiles(0.5)
        .register(meters)
        .record(7);
    Counter.builder("other.sent").register(meters).increment();

    MetricSnapshots snapshots = meters.getPrometheusRegistry().scrape();
    Map<String, Double> ours = new TreeMap<>();
    Map<String, Boolean> counters = new TreeMap<>();
    for (OwnMetrics.Point p :
        OwnMetrics.of(snapshots, n -> n.startsWith("tw_"), Labels.of("instance", "a:1"))) {
      ours.put(p.name() + p.labels().asMap(), p.value());
      counters.put(p.name(), p.counter());
    }
    Map<String, Double> text = new TreeMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, snapshots);
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.startsWith("tw_")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      Map<String, String> labels = new TreeMap<>(Map.of("instance", "a:1"));
      if (brace >= 0) {
        for (String pair : line.substring(brace + 1, line.indexOf('}')).split(",")) {
          String[] kv = pair.split("=", 2);
          labels.put(kv[0], kv[1].substring(1, kv[1].length() - 1));
        }
      }
      text.put(name + Labels.of(labels).asMap(), Double.parseDouble(line.substring(space + 1)));
    }
    assertThat(text).hasSizeGreaterThan(8);
    assertThat(ours).isEqualTo(text);
    assertThat(counters)
        .containsEntry("tw_sent_total", true)
        .containsEntry("tw_duration_seconds_bucket", true)
        .containsEntry("tw_duration_seconds_count", true)
        .containsEntry("tw_queue_bytes", false)
        .containsEntry("tw_size_bytes", false)
        .doesNotContainKey("other_sent_total");
    // buckets are cumulative
    assertThat(ours.get("tw_duration_seconds_bucket{instance=a:1, le=1.0, rule_group=g}"))
        .isEqualTo(2.0);
  }
}
