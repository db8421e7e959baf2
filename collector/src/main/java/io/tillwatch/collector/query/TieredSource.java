package io.tillwatch.collector.query;

import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.StorageSource;
import io.tillwatch.model.TenantScope;
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
   * The collector's data as {@code tenants} may see it: the head, and storage for ranges starting
   * before the head's window (with a minute's margin for trimming).
   */
  public static TieredSource of(Head head, PgStore store, TenantScope tenants) {
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
