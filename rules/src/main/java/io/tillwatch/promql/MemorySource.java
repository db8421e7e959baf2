package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Series held in memory: promtool-style test input, and what rules record while a test runs. */
public final class MemorySource implements SeriesSource {
  private static final class Growing {
    long[] times = new long[16];
    double[] values = new double[16];
    int size;

    void add(long t, double v) {
      if (size > 0 && t <= times[size - 1]) {
        // a later write for the same instant replaces the earlier one
        if (t == times[size - 1]) {
          values[size - 1] = v;
        }
        return;
      }
      if (size == times.length) {
        times = Arrays.copyOf(times, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      times[size] = t;
      values[size++] = v;
    }
  }

  private final Map<Labels, Growing> series = new LinkedHashMap<>();

  /** Adds a whole series; times ascending. */
  public MemorySource add(Labels labels, long[] times, double[] values) {
    for (int k = 0; k < times.length; k++) {
      append(labels, times[k], values[k]);
    }
    return this;
  }

  /** Appends one sample to a series (created on first use). */
  public void append(Labels labels, long time, double value) {
    series.computeIfAbsent(labels, l -> new Growing()).add(time, value);
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    List<Stored> out = new ArrayList<>();
    for (Map.Entry<Labels, Growing> e : series.entrySet()) {
      boolean all = true;
      for (Matcher m : matchers) {
        if (!m.matches(e.getKey().get(m.name()))) {
          all = false;
          break;
        }
      }
      if (!all) {
        continue;
      }
      Growing g = e.getValue();
      int from = 0;
      while (from < g.size && g.times[from] < minTime) {
        from++;
      }
      int to = from;
      while (to < g.size && g.times[to] <= maxTime) {
        to++;
      }
      if (to > from) {
        out.add(
            new Stored(
                e.getKey(),
                Arrays.copyOfRange(g.times, from, to),
                Arrays.copyOfRange(g.values, from, to)));
      }
    }
    return out;
  }
}
