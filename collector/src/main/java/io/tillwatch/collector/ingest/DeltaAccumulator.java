package io.tillwatch.collector.ingest;

import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Series;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns delta temporality into cumulative series: each series' running total since this collector
 * started (a restart is a counter reset, which {@code rate()} handles).
 */
public final class DeltaAccumulator implements SampleBatch.RunningTotals {
  private final ConcurrentHashMap<Series, double[]> totals = new ConcurrentHashMap<>();

  /** Adds {@code delta} to the series' total and returns the new total. */
  @Override
  public double add(Series series, double delta) {
    double[] total = totals.computeIfAbsent(series, s -> new double[1]);
    synchronized (total) {
      total[0] += delta;
      return total[0];
    }
  }
}
