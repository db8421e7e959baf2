package io.tillwatch.agent.internal;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
      case UNKNOWN -> {
        UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(metric.help());
        for (Sample s : samples) {
          b.dataPoint(
              UnknownDataPointSnapshot.builder()
                  .labels(labels(s.labels()))
                  .value(s.value())
                  .build());
        }
        yield b.build();
      }
      case HISTOGRAM -> histogram(metric, samples);
    };
  }

  /** Cumulative {@code _bucket{le}} series and {@code _sum}, grouped into one point per series. */
  private static MetricSnapshot histogram(Metric metric, List<Sample> samples) {
    Map<Labels, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    Map<Labels, Double> sums = new LinkedHashMap<>();
    for (Sample s : samples) {
      switch (s.suffix()) {
        case "_bucket" -> {
          String le = s.labels().get("le");
          if (le != null) {
            buckets
                .computeIfAbsent(s.labels().with("le", ""), k -> new TreeMap<>())
                .put(parseLe(le), s.value());
          }
        }
        case "_sum" -> sums.put(s.labels(), s.value());
        default -> {} // _count is the +Inf bucket
      }
    }
    HistogramSnapshot.Builder b =
        HistogramSnapshot.builder().name(metric.name()).help(metric.help());
    buckets.forEach(
        (series, cumulative) -> {
          cumulative.putIfAbsent(Double.POSITIVE_INFINITY, cumulative.lastEntry().getValue());
          double[] bounds = new double[cumulative.size()];
          long[] counts = new long[cumulative.size()];
          int i = 0;
          double previous = 0;
          for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            bounds[i] = e.getKey();
            counts[i++] = Math.max(0, Math.round(e.getValue() - previous));
            previous = e.getValue();
          }
          HistogramDataPointSnapshot.Builder p =
              HistogramDataPointSnapshot.builder()
                  .labels(labels(series))
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
          Double sum = sums.get(series);
          if (sum != null) {
            p.sum(sum);
          }
          b.dataPoint(p.build());
        });
    return b.build();
  }

  private static double parseLe(String le) {
    return switch (le) {
      case "+Inf", "Inf", "inf", "+inf" -> Double.POSITIVE_INFINITY;
      default -> Double.parseDouble(le);
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
