package io.tillwatch.collector;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A component's own metrics (client_java snapshots of its registry) as the samples its {@code
 * /metrics} shows in the Prometheus text format: counters as {@code _total}, histograms as
 * cumulative {@code _bucket{le}}, {@code _count} and {@code _sum}, summaries by {@code quantile}
 * (the kinds Micrometer registers; info and state sets are left out). The agent pushes them and the
 * collector stores them, so that its own dashboard reads from the collector like any other.
 */
public final class OwnMetrics {
  /**
   * One sample: its name, labels, value, and whether it is a counter's running total.
   *
   * @param counter a monotonic total (a counter, or a histogram's or summary's count and sum)
   */
  public record Point(String name, Labels labels, double value, boolean counter) {}

  private OwnMetrics() {}

  /** Every sample of the metrics whose name {@code include} accepts, with {@code extra} labels. */
  public static List<Point> of(MetricSnapshots snapshots, Predicate<String> include, Labels extra) {
    List<Point> out = new ArrayList<>();
    for (MetricSnapshot m : snapshots) {
      String name = m.getMetadata().getPrometheusName();
      if (!include.test(name)) {
        continue;
      }
      for (DataPointSnapshot d : m.getDataPoints()) {
        Labels labels = labels(d, extra);
        switch (m) {
          case CounterSnapshot c ->
              out.add(
                  new Point(
                      name + "_total",
                      labels,
                      ((CounterSnapshot.CounterDataPointSnapshot) d).getValue(),
                      true));
          case GaugeSnapshot g ->
              out.add(
                  new Point(
                      name, labels, ((GaugeSnapshot.GaugeDataPointSnapshot) d).getValue(), false));
          case UnknownSnapshot u ->
              out.add(
                  new Point(
                      name,
                      labels,
                      ((UnknownSnapshot.UnknownDataPointSnapshot) d).getValue(),
                      false));
          case HistogramSnapshot h ->
              histogram(name, labels, (HistogramSnapshot.HistogramDataPointSnapshot) d, out);
          case SummarySnapshot s -> {
            SummarySnapshot.SummaryDataPointSnapshot p =
                (SummarySnapshot.SummaryDataPointSnapshot) d;
            for (Quantile q : p.getQuantiles()) {
              out.add(
                  new Point(
                      name, labels.with("quantile", number(q.getQuantile())), q.getValue(), false));
            }
            totals(name, labels, p.hasCount(), p.getCount(), p.hasSum(), p.getSum(), out);
          }
          default -> {}
        }
      }
    }
    return out;
  }

  private static void histogram(
      String name, Labels labels, HistogramSnapshot.HistogramDataPointSnapshot p, List<Point> out) {
    if (p.hasClassicHistogramData()) {
      ClassicHistogramBuckets b = p.getClassicBuckets();
      long cumulative = 0;
      for (int k = 0; k < b.size(); k++) {
        cumulative += b.getCount(k);
        out.add(
            new Point(
                name + "_bucket", labels.with("le", number(b.getUpperBound(k))), cumulative, true));
      }
    }
    totals(name, labels, p.hasCount(), p.getCount(), p.hasSum(), p.getSum(), out);
  }

  private static void totals(
      String name,
      Labels labels,
      boolean hasCount,
      long count,
      boolean hasSum,
      double sum,
      List<Point> out) {
    if (hasCount) {
      out.add(new Point(name + "_count", labels, count, true));
    }
    if (hasSum) {
      out.add(new Point(name + "_sum", labels, sum, true));
    }
  }

  /**
   * A bound or quantile as client_java's text format writes it ({@code 0.5}, {@code 1.0}, {@code
   * +Inf}).
   */
  private static String number(double v) {
    if (v == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (v == Double.NEGATIVE_INFINITY) {
      return "-Inf";
    }
    return Double.isNaN(v) ? "NaN" : Double.toString(v);
  }

  private static Labels labels(DataPointSnapshot d, Labels extra) {
    Labels out = extra;
    io.prometheus.metrics.model.snapshots.Labels l = d.getLabels();
    for (int i = 0; i < l.size(); i++) {
      out = out.with(l.getPrometheusName(i), l.getValue(i));
    }
    return out;
  }
}
