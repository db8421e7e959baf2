package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A source seen through a layer of newer samples on top: what a rule group's later rules read, the
 * data plus what its earlier rules recorded at this evaluation. Where both hold a sample at the
 * same time, the top layer's wins.
 */
public final class LayeredSource implements SeriesSource {
  private final SeriesSource base;
  private final SeriesSource top;

  public LayeredSource(SeriesSource base, SeriesSource top) {
    this.base = base;
    this.top = top;
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    List<Stored> upper = top.select(matchers, minTime, maxTime);
    List<Stored> lower = base.select(matchers, minTime, maxTime);
    if (upper.isEmpty()) {
      return lower;
    }
    Map<Labels, Stored> merged = new LinkedHashMap<>();
    for (Stored s : lower) {
      merged.put(s.labels(), s);
    }
    for (Stored s : upper) {
      merged.merge(s.labels(), s, LayeredSource::merge);
    }
    return new ArrayList<>(merged.values());
  }

  /** Both series' samples in time order; at equal times the upper one's. */
  private static Stored merge(Stored lower, Stored upper) {
    int n = lower.times().length + upper.times().length;
    long[] t = new long[n];
    double[] v = new double[n];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < lower.times().length || j < upper.times().length) {
      boolean takeUpper =
          i >= lower.times().length
              || (j < upper.times().length && upper.times()[j] <= lower.times()[i]);
      if (takeUpper) {
        if (i < lower.times().length && lower.times()[i] == upper.times()[j]) {
          i++;
        }
        t[k] = upper.times()[j];
        v[k++] = upper.values()[j++];
      } else {
        t[k] = lower.times()[i];
        v[k++] = lower.values()[i++];
      }
    }
    return new Stored(upper.labels(), java.util.Arrays.copyOf(t, k), java.util.Arrays.copyOf(v, k));
  }
}
