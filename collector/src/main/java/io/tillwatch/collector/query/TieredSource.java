package io.tillwatch.collector.query;

import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The head for what it covers, storage for older ranges. Every sample in the head is also in
 * storage (the head is filled after commit), so a range that starts before the head's window is
 * read from storage alone.
 */
public final class TieredSource implements SeriesSource {
  private final SeriesSource head;
  private final SeriesSource storage;
  private final LongSupplier headStart;

  /**
   * @param headStart the earliest time the head holds for every series (now − window)
   */
  public TieredSource(SeriesSource head, SeriesSource storage, LongSupplier headStart) {
    this.head = head;
    this.storage = storage;
    this.headStart = headStart;
  }

  /**
   * The collector's data as {@code tenants} may see it (null: every tenant): the head, and storage
   * for ranges starting before the head's window (with a minute's margin for trimming).
   */
  public static TieredSource of(
      io.tillwatch.collector.head.Head head,
      io.tillwatch.collector.store.PgStore store,
      java.util.Set<String> tenants) {
    return new TieredSource(
        new HeadSource(head, tenants),
        new StorageSource(store, tenants),
        () -> System.currentTimeMillis() - head.window().toMillis() + 60_000L);
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    return minTime >= headStart.getAsLong()
        ? head.select(matchers, minTime, maxTime)
        : storage.select(matchers, minTime, maxTime);
  }
}
