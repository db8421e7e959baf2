package io.tillwatch.collector.report;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PrefetchSource;
import io.tillwatch.promql.QueryLimits;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.Value;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** PromQL over the collector's samples for a report: instant values and range series. */
public final class ReportQueries {
  private final SeriesSource data;

  public ReportQueries(SeriesSource data) {
    this.data = data;
  }

  /** The single value of {@code expr} at {@code at} (an aggregation); empty when nothing. */
  public Optional<Double> value(String expr, Instant at) {
    Value v = instant(expr, at);
    if (v instanceof Value.Vector vec) {
      return vec.samples().stream()
          .map(Value.Sample::value)
          .filter(d -> !Double.isNaN(d))
          .findFirst();
    }
    if (v instanceof Value.Scalar s && !Double.isNaN(s.value())) {
      return Optional.of(s.value());
    }
    return Optional.empty();
  }

  /** The values of {@code expr} at {@code at} by the value of each series' {@code label}. */
  public Map<String, Double> byLabel(String expr, String label, Instant at) {
    Map<String, Double> out = new TreeMap<>();
    if (instant(expr, at) instanceof Value.Vector vec) {
      for (Value.Sample s : vec.samples()) {
        String key = s.labels().get(label);
        if (key != null && !Double.isNaN(s.value())) {
          out.put(key, s.value());
        }
      }
    }
    return out;
  }

  /** {@code expr} evaluated at {@code at}. */
  private Value instant(String expr, Instant at) {
    Expr e = Parser.parse(expr);
    long t = at.toEpochMilli();
    return new Evaluator(
            PrefetchSource.of(data, e, t, t, Evaluator.DEFAULT_LOOKBACK_MILLIS),
            Evaluator.DEFAULT_LOOKBACK_MILLIS,
            t,
            t,
            QueryLimits.DEFAULT)
        .eval(e, t);
  }

  /** The series of {@code expr} at every step of {@code [first, last]}: labels → time → value. */
  Map<Labels, TreeMap<Long, Double>> range(String expr, long first, long last, long step) {
    Expr e = Parser.parse(expr);
    Evaluator ev =
        new Evaluator(
            PrefetchSource.of(data, e, first, last, Evaluator.DEFAULT_LOOKBACK_MILLIS),
            Evaluator.DEFAULT_LOOKBACK_MILLIS,
            first,
            last,
            QueryLimits.DEFAULT);
    Map<Labels, TreeMap<Long, Double>> out = new HashMap<>();
    for (long t = first; t <= last; t += step) {
      ev.resetSamples();
      if (ev.eval(e, t) instanceof Value.Vector v) {
        for (Value.Sample s : v.samples()) {
          out.computeIfAbsent(s.labels(), k -> new TreeMap<>()).put(t, s.value());
        }
      }
    }
    return out;
  }
}
