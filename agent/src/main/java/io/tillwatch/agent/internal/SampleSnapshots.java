package io.tillwatch.agent.internal;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Exposes tillwatch samples through a client_java registry, grouped into typed families. */
public final class SampleSnapshots implements MultiCollector {
  private final Supplier<List<Sample>> samples;

  public SampleSnapshots(Supplier<List<Sample>> samples) {
    this.samples = samples;
  }

  @Override
  public MetricSnapshots collect() {
    Map<Metric, List<Sample>> families = new LinkedHashMap<>();
    for (Sample s : samples.get()) {
      families.computeIfAbsent(s.metric(), m -> new ArrayList<>()).add(s);
    }
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    families.forEach((metric, list) -> out.metricSnapshot(snapshot(metric, list)));
    return out.build();
  }

  static MetricSnapshot snapshot(Metric metric, List<Sample> samples) {
    String name = metric.name();
    return switch (metric.type()) {
      case GAUGE -> {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(metric.help());
        for (Sample s : samples) {
          b.dataPoint(
              GaugeDataPointSnapshot.builder().labels(labels(s.labels())).value(s.value()).build());
        }
        yield b.build();
      }
      case COUNTER -> {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder().name(strip(name, "_total")).help(metric.help());
        for (Sample s : samples) {
          b.dataPoint(
              CounterDataPointSnapshot.builder()
                  .labels(labels(s.labels()))
                  .value(s.value())
                  .build());
        }
        yield b.build();
      }
      case INFO -> {
        InfoSnapshot.Builder b =
            InfoSnapshot.builder().name(strip(name, "_info")).help(metric.help());
        for (Sample s : samples) {
          b.dataPoint(InfoDataPointSnapshot.builder().labels(labels(s.labels())).build());
        }
        yield b.build();
      }
    };
  }

  private static String strip(String name, String suffix) {
    return name.substring(0, name.length() - suffix.length());
  }

  private static io.prometheus.metrics.model.snapshots.Labels labels(Labels labels) {
    return io.prometheus.metrics.model.snapshots.Labels.of(
        labels.names().toArray(String[]::new), labels.values().toArray(String[]::new));
  }
}
