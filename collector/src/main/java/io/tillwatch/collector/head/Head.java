package io.tillwatch.collector.head;

import io.tillwatch.collector.chunk.XorChunk;
import io.tillwatch.model.Series;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code window} of every series in memory, for the rule engine: per series a list of
 * Gorilla-compressed {@link XorChunk}s, trimmed as time passes. Bounded by the window; filled from
 * storage at start and from every committed write after that.
 */
public final class Head {
  private final ConcurrentHashMap<Series, SeriesHead> series = new ConcurrentHashMap<>();
  // series by metric name, for selectors that name their metric (almost all)
  private final ConcurrentHashMap<String, Set<Series>> byName = new ConcurrentHashMap<>();
  // the same heads by storage id: appends of stored samples find theirs without comparing labels
  private final ConcurrentHashMap<Long, SeriesHead> byId = new ConcurrentHashMap<>();
  private final Duration window;
  private volatile long completeFrom = Long.MIN_VALUE;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();
  // series held and admitted per tenant: what max_series_per_tenant counts
  private final ConcurrentHashMap<String, TenantSeries> perTenant = new ConcurrentHashMap<>();

  public Head(Duration window) {
    this.window = window;
  }

  /** Appends a sample; one older than the series' newest is counted and left to storage. */
  public void append(Series s, long timeMillis, double value) {
    count(series.computeIfAbsent(s, this::newHead).append(timeMillis, value));
  }

  /** Appends a sample of the series stored under {@code id}. */
  public void append(long id, Series s, long timeMillis, double value) {
    SeriesHead h = byId.get(id);
    if (h == null) {
      h = series.computeIfAbsent(s, k -> newHead(k, id));
      byId.put(id, h);
    }
    count(h.append(timeMillis, value));
  }

  private SeriesHead newHead(Series s) {
    return newHead(s, -1);
  }

  private SeriesHead newHead(Series s, long id) {
    byName.computeIfAbsent(s.name(), n -> ConcurrentHashMap.newKeySet()).add(s);
    perTenant.computeIfAbsent(s.tenant(), t -> new TenantSeries()).held(s);
    return new SeriesHead(id);
  }

  /** The series named {@code name}. */
  public Set<Series> series(String name) {
    Set<Series> s = byName.get(name);
    return s == null ? Set.of() : s;
  }

  private void count(boolean appended) {
    if (appended) {
      samples.incrementAndGet();
    } else {
      outOfOrder.incrementAndGet();
    }
  }

  /** Drops what is older than the window before {@code nowMillis}, and series left empty. */
  public void trim(long nowMillis) {
    long before = nowMillis - window.toMillis();
    series.forEach(
        (s, h) -> {
          samples.addAndGet(-h.trim(before));
          if (h.isEmpty() && series.remove(s, h)) {
            TenantSeries n = perTenant.get(s.tenant());
            if (n != null) {
              n.dropped();
            }
            byId.remove(h.id(), h);
            Set<Series> named = byName.get(s.name());
            if (named != null) {
              named.remove(s);
            }
          }
        });
  }

  /** Every sample of {@code s} with {@code from <= time <= to}, in time order. */
  public void read(Series s, long from, long to, XorChunk.Visitor visitor) {
    SeriesHead h = series.get(s);
    if (h != null) {
      h.read(from, to, visitor);
    }
  }

  /** Samples of one series in time order, {@code times[i]} with {@code values[i]}. */
  public record Samples(long[] times, double[] values) {}

  /** The samples of {@code s} with {@code from <= time <= to}, or null when there are none. */
  public Samples samples(Series s, long from, long to) {
    SeriesHead h = series.get(s);
    return h == null ? null : h.samples(from, to);
  }

  /** Whether {@code s} has a sample with {@code from <= time <= to}. */
  public boolean any(Series s, long from, long to) {
    SeriesHead h = series.get(s);
    return h != null && h.any(from, to);
  }

  /** Whether {@code s} is held. */
  public boolean contains(Series s) {
    return series.containsKey(s);
  }

  /** How many series of {@code tenant} are held. */
  public int seriesOf(String tenant) {
    TenantSeries n = perTenant.get(tenant);
    return n == null ? 0 : n.held();
  }

  /** What {@link #admit} answered for a series. */
  public enum Admission {
    /** Held, or admitted by an earlier request not yet written: nothing to give back. */
    KNOWN,
    /** Newly admitted: counted against the tenant until written or {@link #release}d. */
    ADMITTED,
    /** The tenant holds {@code max} series, admitted ones included. */
    REFUSED
  }

  /**
   * Admits a series {@code s} not held yet while its tenant holds fewer than {@code max}, counting
   * the series that requests admitted and that are not written yet: two requests checked at once,
   * or one checked before the head took the last one's series in, never pass the limit together.
   */
  public Admission admit(Series s, int max) {
    if (series.containsKey(s)) {
      return Admission.KNOWN;
    }
    return perTenant.computeIfAbsent(s.tenant(), t -> new TenantSeries()).admit(s, max, this);
  }

  /** Series admitted for a write that failed: no longer counted against their tenant. */
  public void release(Iterable<Series> admitted) {
    for (Series s : admitted) {
      TenantSeries n = perTenant.get(s.tenant());
      if (n != null) {
        n.release(s);
      }
    }
  }

  /** One tenant's series held and admitted; the count {@code max_series_per_tenant} limits. */
  private static final class TenantSeries {
    private int held;
    private final Set<Series> admitted = new java.util.HashSet<>();

    synchronized int held() {
      return held;
    }

    synchronized void held(Series s) {
      held++;
      admitted.remove(s);
    }

    synchronized void dropped() {
      held--;
    }

    synchronized Admission admit(Series s, int max, Head head) {
      if (admitted.contains(s) || head.contains(s)) {
        return Admission.KNOWN; // taken in by the head since the caller looked
      }
      if (held + admitted.size() >= max) {
        // one admitted while the head was taking it in is counted twice until this
        admitted.removeIf(head::contains);
        if (held + admitted.size() >= max) {
          return Admission.REFUSED;
        }
      }
      admitted.add(s);
      return Admission.ADMITTED;
    }

    synchronized void release(Series s) {
      admitted.remove(s);
    }
  }

  /** The series held. */
  public Set<Series> series() {
    return series.keySet();
  }

  /**
   * The time from which the head holds every sample written (its window permitting): {@link
   * Long#MIN_VALUE} when it was filled from storage at start, the start otherwise.
   */
  public long completeFrom() {
    return completeFrom;
  }

  /** The head was not filled from storage: it is complete only from {@code time}. */
  public void completeFrom(long time) {
    this.completeFrom = time;
  }

  public Duration window() {
    return window;
  }

  public long samples() {
    return samples.get();
  }

  /** Samples not kept because they were older than their series' newest. */
  public long outOfOrder() {
    return outOfOrder.get();
  }

  /** Bytes the encoded samples take, without buffer slack. */
  public long encodedBytes() {
    long b = 0;
    for (SeriesHead h : series.values()) {
      b += h.encodedBytes();
    }
    return b;
  }

  /** Bytes of encoded samples held (buffers as allocated). */
  public long bytes() {
    long b = 0;
    for (SeriesHead h : series.values()) {
      b += h.bytes();
    }
    return b;
  }
}
