package io.tillwatch.collector.store;

import io.tillwatch.collector.chunk.XorChunk;
import io.tillwatch.model.Labels;
import io.tillwatch.promql.SeriesSource.Stored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series' stored samples in a time range, gathered from raw rows and compressed chunks in any
 * order and merged into one time-ordered run without repeated timestamps (a sample written twice,
 * or late rows beside the chunks of their day, count once). Reused series after series.
 */
final class SeriesSamples {
  private final long minTime;
  private final long maxTime;
  private final List<XorChunk> chunks = new ArrayList<>();
  private long[] rowTimes = new long[64];
  private double[] rowValues = new double[64];
  private int rows;

  SeriesSamples(long minTime, long maxTime) {
    this.minTime = minTime;
    this.maxTime = maxTime;
  }

  void row(long time, double value) {
    if (rows == rowTimes.length) {
      rowTimes = Arrays.copyOf(rowTimes, rows * 2);
      rowValues = Arrays.copyOf(rowValues, rows * 2);
    }
    rowTimes[rows] = time;
    rowValues[rows++] = value;
  }

  void chunk(XorChunk chunk) {
    chunks.add(chunk);
  }

  /** Adds the gathered series to {@code out} (when it has samples in range) and starts over. */
  void finish(Labels labels, List<Stored> out) {
    int capacity = rows;
    for (XorChunk c : chunks) {
      capacity += c.count();
    }
    if (capacity > 0 && labels != null) {
      long[] t = new long[capacity];
      double[] v = new double[capacity];
      chunks.sort((a, b) -> Long.compare(a.firstTime(), b.firstTime()));
      int n = 0;
      for (XorChunk c : chunks) {
        n += c.decodeInto(minTime, maxTime, t, v, n);
      }
      // rows come in no particular order: put the few of them in order on their own, so that
      // the whole run (chunks, then the rows after them) is usually checked in one pass
      int r = ordered(rowTimes, rowValues, rows);
      System.arraycopy(rowTimes, 0, t, n, r);
      System.arraycopy(rowValues, 0, v, n, r);
      n += r;
      n = ordered(t, v, n);
      if (n > 0) {
        out.add(
            new Stored(
                labels,
                n == capacity ? t : Arrays.copyOf(t, n),
                n == capacity ? v : Arrays.copyOf(v, n)));
      }
    }
    chunks.clear();
    rows = 0;
  }

  /**
   * Puts the first {@code n} samples in time order, keeping the first of equal timestamps; the new
   * count. Already ordered runs (the usual case: chunks of past days, then today's rows) cost one
   * pass.
   */
  static int ordered(long[] t, double[] v, int n) {
    boolean sorted = true;
    for (int i = 1; i < n && sorted; i++) {
      sorted = t[i] > t[i - 1];
    }
    if (sorted) {
      return n;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(t[a], t[b])); // stable: the first stays first
    long[] st = new long[n];
    double[] sv = new double[n];
    int m = 0;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (m > 0 && st[m - 1] == t[i]) {
        continue;
      }
      st[m] = t[i];
      sv[m++] = v[i];
    }
    System.arraycopy(st, 0, t, 0, m);
    System.arraycopy(sv, 0, v, 0, m);
    return m;
  }
}
