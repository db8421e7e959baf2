package io.tillwatch.collector.ingest;

import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Series;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns delta temporality into cumulative series: each series' running total since this collector
 * started (a restart is a counter reset, which {@code rate()} handles). Totals move with commits:
 * the writer adds a transaction's deltas, then {@link #commit}s them or {@link #rollback}s them to
 * exactly the totals before, so a write that fails and is sent again counts once.
 */
public final class DeltaAccumulator implements SampleBatch.RunningTotals {
  private final ConcurrentHashMap<Series, double[]> totals = new ConcurrentHashMap<>();
  // the totals changed since the last commit, and what each was before (the writer's thread)
  private final java.util.ArrayList<double[]> changed = new java.util.ArrayList<>();
  private final java.util.ArrayList<Double> before = new java.util.ArrayList<>();

  /** Adds {@code delta} to the series' total and returns the new total. */
  @Override
  public double add(Series series, double delta) {
    double[] total = totals.computeIfAbsent(series, s -> new double[2]); // total, last touched
    synchronized (total) {
      changed.add(total);
      before.add(total[0]);
      total[0] += delta;
      total[1] = System.currentTimeMillis();
      return total[0];
    }
  }

  /**
   * Forgets the totals not added to since {@code cutoff} (ms): a series that comes back starts from
   * 0 again, a counter reset as {@code rate()} handles it.
   */
  public void forgetUntouchedSince(long cutoff) {
    totals.values().removeIf(t -> t[1] < cutoff);
  }

  /** Keeps the totals added since the last commit or rollback. */
  public void commit() {
    changed.clear();
    before.clear();
  }

  /** Puts back every total added to since the last commit, bit for bit. */
  public void rollback() {
    for (int i = changed.size() - 1; i >= 0; i--) {
      double[] total = changed.get(i);
      synchronized (total) {
        total[0] = before.get(i);
      }
    }
    commit();
  }
}
