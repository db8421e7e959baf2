package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.List;

/** Where the engine reads samples from: the collector's head, a test's input series. */
public interface SeriesSource {
  /** A stored series: labels (with {@code __name__}), times in ms ascending, values. */
  record Stored(Labels labels, long[] times, double[] values) {}

  /**
   * Every series matching all matchers, with its samples in {@code [minTime, maxTime]} (stale
   * markers included: the engine handles them).
   */
  List<Stored> select(List<Matcher> matchers, long minTime, long maxTime);

  /** The NaN Prometheus writes as a stale marker. */
  long STALE_NAN_BITS = 0x7ff0000000000002L;

  /** Whether a value is a stale marker. */
  static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
  }
}
