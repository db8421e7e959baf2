package io.tillwatch.collector.query;

import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleStorage;
import io.tillwatch.model.Labels;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The head for what it covers, storage for what is older: a range that starts before the head's
 * window reads storage up to the window and the head from there, joined per series (every sample in
 * the head is also in storage — the head is filled after commit — so storage alone would give the
 * same answer, at the cost of reading the recent rows the head already holds).
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
  public static TieredSource of(Head head, SampleStorage storage, TenantScope tenants) {
    return new TieredSource(
        new HeadSource(head, tenants),
        storage.source(tenants),
        () -> headStart(head, System.currentTimeMillis()));
  }

  /** As above, over this collector's PostgreSQL. */
  public static TieredSource of(Head head, PgStore store, TenantScope tenants) {
    return of(head, SampleStorage.of(store), tenants);
  }

  /**
   * The earliest time the head holds for every series at {@code now}, with a minute's margin; not
   * before the head became complete (a head not filled from storage at start holds what came
   * since).
   */
  public static long headStart(Head head, long now) {
    return Math.max(now - head.window().toMillis() + 60_000L, head.completeFrom());
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    long h = headStart.getAsLong();
    if (minTime >= h) {
      return head.select(matchers, minTime, maxTime);
    }
    if (maxTime < h) {
      return storage.select(matchers, minTime, maxTime);
    }
    return join(storage.select(matchers, minTime, h - 1), head.select(matchers, h, maxTime));
  }

  /** Each series' older samples followed by its recent ones (the two ranges do not overlap). */
  static List<Stored> join(List<Stored> older, List<Stored> recent) {
    if (recent.isEmpty()) {
      return older;
    }
    Map<Labels, Stored> out = new LinkedHashMap<>();
    for (Stored s : older) {
      out.put(s.labels(), s);
    }
    for (Stored r : recent) {
      Stored o = out.get(r.labels());
      if (o == null) {
        out.put(r.labels(), r);
        continue;
      }
      int n = o.times().length;
      long[] t = Arrays.copyOf(o.times(), n + r.times().length);
      double[] v = Arrays.copyOf(o.values(), n + r.values().length);
      System.arraycopy(r.times(), 0, t, n, r.times().length);
      System.arraycopy(r.values(), 0, v, n, r.values().length);
      out.put(r.labels(), new Stored(r.labels(), t, v));
    }
    return new ArrayList<>(out.values());
  }
}
