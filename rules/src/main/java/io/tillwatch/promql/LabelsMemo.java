package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A label function's results by input label set, for one expression node of one query: a range
 * query hands the same {@code Labels} objects to a node at every step, so grouping labels and
 * matching signatures are computed once per series instead of once per series and step. Bounded:
 * past {@value #MAX} entries it starts over.
 */
final class LabelsMemo {
  private static final int MAX = 100_000;

  private final Map<Labels, Labels> results = new IdentityHashMap<>();

  Labels apply(Labels in, UnaryOperator<Labels> f) {
    Labels out = results.get(in);
    if (out == null) {
      if (results.size() >= MAX) {
        results.clear();
      }
      out = f.apply(in);
      results.put(in, out);
    }
    return out;
  }
}
