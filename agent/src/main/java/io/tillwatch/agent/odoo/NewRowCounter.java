package io.tillwatch.agent.odoo;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts rows as they appear past a time watermark (jobs done, orders confirmed), so that the
 * counts are real counters: they keep growing when Odoo later deletes old rows. Rows are asked for
 * from {@link #since()} — the watermark minus an overlap, because a transaction may commit a row
 * whose time is a little older than rows seen before — and de-duplicated by id.
 */
final class NewRowCounter {
  private final long overlapMillis;
  private long watermark;
  private final Map<String, Long> recentIds = new HashMap<>();
  private final TreeMap<String, Long> totals = new TreeMap<>();

  /**
   * @param startMillis count rows whose time is after this (the agent's start, UTC epoch ms)
   * @param overlapMillis how far back each query looks again
   */
  NewRowCounter(long startMillis, long overlapMillis) {
    this.watermark = startMillis;
    this.overlapMillis = overlapMillis;
  }

  /** Epoch ms from which the next query should read rows (inclusive lower bound, exclusive ok). */
  long since() {
    return watermark - overlapMillis;
  }

  /** The watermark itself: rows at or before it that are new are still counted (overlap). */
  long watermark() {
    return watermark;
  }

  /**
   * Offers one row read since {@link #since()}; counts it once under {@code group} if new.
   *
   * @param id the row's identity (uuid, id)
   * @param atMillis the row's time (epoch ms, UTC)
   * @param start rows at or before the counter's start are not counted
   */
  void offer(String id, String group, long atMillis, long start) {
    totals.putIfAbsent(group, 0L);
    if (atMillis <= start || recentIds.containsKey(id)) {
      return;
    }
    recentIds.put(id, atMillis);
    totals.merge(group, 1L, Long::sum);
  }

  /** Registers a group with no new rows, so that it is reported as 0. */
  void touch(String group) {
    totals.putIfAbsent(group, 0L);
  }

  /** Advances the watermark to {@code latestMillis} and forgets ids older than the overlap. */
  void advance(long latestMillis) {
    watermark = Math.max(watermark, latestMillis);
    long keepFrom = watermark - overlapMillis;
    for (Iterator<Long> it = recentIds.values().iterator(); it.hasNext(); ) {
      if (it.next() < keepFrom) {
        it.remove();
      }
    }
  }

  /** Counts per group since the start. */
  Map<String, Long> totals() {
    return java.util.Collections.unmodifiableMap(totals);
  }
}
