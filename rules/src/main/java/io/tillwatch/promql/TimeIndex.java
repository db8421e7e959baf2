package io.tillwatch.promql;

/** Binary searches in a series' ascending sample times. */
final class TimeIndex {
  private TimeIndex() {}

  /** The first index whose time is at or after {@code t} ({@code times.length} if none). */
  static int firstAtOrAfter(long[] times, long t) {
    int lo = 0;
    int hi = times.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The last index whose time is at or before {@code t}, or -1. */
  static int lastAtOrBefore(long[] times, long t) {
    return firstAtOrAfter(times, t == Long.MAX_VALUE ? t : t + 1) - 1;
  }
}
