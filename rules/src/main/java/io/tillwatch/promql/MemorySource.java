package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Series held in memory, for tests and for promtool-style test files. */
public final class MemorySource implements SeriesSource {
  private final List<Stored> series = new ArrayList<>();

  /** Adds a series; times ascending. */
  public MemorySource add(Labels labels, long[] times, double[] values) {
    series.add(new Stored(labels, times.clone(), values.clone()));
    return this;
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    List<Stored> out = new ArrayList<>();
    for (Stored s : series) {
      boolean all = true;
      for (Matcher m : matchers) {
        if (!m.matches(s.labels().get(m.name()))) {
          all = false;
          break;
        }
      }
      if (!all) {
        continue;
      }
      int from = 0;
      while (from < s.times().length && s.times()[from] < minTime) {
        from++;
      }
      int to = from;
      while (to < s.times().length && s.times()[to] <= maxTime) {
        to++;
      }
      if (to > from) {
        out.add(
            new Stored(
                s.labels(),
                Arrays.copyOfRange(s.times(), from, to),
                Arrays.copyOfRange(s.values(), from, to)));
      }
    }
    return out;
  }
}
