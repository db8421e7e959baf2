package io.tillwatch.collector.store;

import io.tillwatch.collector.chunk.XorChunk;
import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Settled stored samples kept in memory, compressed, so that what dashboards and rules read again
 * and again (the past days of a series, the series a selector finds) does not go to PostgreSQL each
 * time — as Prometheus reads its blocks from the page cache.
 *
 * <p>An entry holds every stored sample of one series in {@code [from, to)} (rows and chunks
 * merged, re-encoded as XOR chunks), for times before the <em>horizon</em> (the start of the head's
 * window: older samples are settled). It grows forward as reads reach past its end. The least
 * recently used entries go first once the entries pass {@code maxBytes}.
 *
 * <p>What would make an entry wrong is a write of an older sample of its series: this process's
 * writer calls {@link #lateWrite} after such a commit, which drops the series' entry and turns away
 * every fill begun before it (an epoch: a fill that read storage before the write committed must
 * not be kept). The same goes for the series lookups when a series is created ({@link
 * #seriesCreated}) and for everything when retention drops data ({@link #clear}). A second
 * collector writing to the same database is not seen: replicas run without this cache or accept
 * that late samples written by another replica show after the entry is evicted.
 */
public final class SampleCache {
  /** The most samples one cached chunk holds. */
  static final int CHUNK_SAMPLES = 1024;

  /** Lookups (selector → series) kept at most. */
  private static final int MAX_LOOKUPS = 10_000;

  /**
   * One series' stored samples in {@code [from, to)}, all of them, in time order.
   *
   * @param chunks ordered, not overlapping
   */
  record Entry(long from, long to, XorChunk[] chunks, long bytes) {
    /** The chunks with a sample in {@code [minTime, maxTime]}. */
    List<XorChunk> overlapping(long minTime, long maxTime) {
      List<XorChunk> out = new ArrayList<>();
      for (XorChunk c : chunks) {
        if (c.lastTime() >= minTime && c.firstTime() <= maxTime) {
          out.add(c);
        }
      }
      return out;
    }

    /** This entry and the samples after it, up to (not including) {@code newTo}. */
    Entry extend(long newTo, long[] t, double[] v, int n) {
      XorChunk[] more = encode(t, v, n);
      XorChunk[] all = Arrays.copyOf(chunks, chunks.length + more.length);
      System.arraycopy(more, 0, all, chunks.length, more.length);
      return new Entry(from, newTo, all, bytes + bytesOf(more));
    }
  }

  private final long maxBytes;
  private final LongSupplier horizon;
  private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
  private final LinkedHashMap<String, Map<Long, Labels>> lookups =
      new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;
  private long epoch;
  private long seriesEpoch;
  private long hits;
  private long misses;

  /**
   * @param maxBytes how much the entries may hold (encoded samples); above it the least recently
   *     used go
   * @param horizon the time before which samples are settled (the head's start), now
   */
  public SampleCache(long maxBytes, LongSupplier horizon) {
    this.maxBytes = maxBytes;
    this.horizon = horizon;
  }

  /** The time before which samples are settled, now. */
  public long horizon() {
    return horizon.getAsLong();
  }

  /** What a fill must show to be kept: no late write since. */
  synchronized long epoch() {
    return epoch;
  }

  synchronized Entry get(long series) {
    Entry e = entries.get(series);
    if (e == null) {
      misses++;
    } else {
      hits++;
    }
    return e;
  }

  /**
   * Keeps {@code e} for {@code series} if no late write came since {@code seen} was read and the
   * entry it replaces is still {@code replaced} (another reader may have moved it on).
   */
  synchronized void put(long series, Entry e, Entry replaced, long seen) {
    if (seen != epoch || entries.get(series) != replaced) {
      return;
    }
    Entry old = entries.put(series, e);
    bytes += e.bytes() - (old == null ? 0 : old.bytes());
    Iterator<Entry> lru = entries.values().iterator();
    while (bytes > maxBytes && lru.hasNext()) {
      bytes -= lru.next().bytes();
      lru.remove();
    }
  }

  /** Samples older than the horizon were committed for these series: their entries go. */
  public synchronized void lateWrite(long[] series, int n) {
    epoch++;
    for (int i = 0; i < n; i++) {
      Entry old = entries.remove(series[i]);
      if (old != null) {
        bytes -= old.bytes();
      }
    }
  }

  /** Stored data went (retention): everything goes. */
  public synchronized void clear() {
    epoch++;
    seriesEpoch++;
    entries.clear();
    lookups.clear();
    bytes = 0;
  }

  /** What a series lookup must show to be kept: no series created since. */
  synchronized long seriesEpoch() {
    return seriesEpoch;
  }

  synchronized Map<Long, Labels> lookup(String key) {
    return lookups.get(key);
  }

  synchronized void putLookup(String key, Map<Long, Labels> series, long seen) {
    if (seen != seriesEpoch) {
      return;
    }
    lookups.put(key, series);
    if (lookups.size() > MAX_LOOKUPS) {
      Iterator<?> lru = lookups.values().iterator();
      lru.next();
      lru.remove();
    }
  }

  /** A series was created: the selectors' answers may have changed. */
  public synchronized void seriesCreated() {
    seriesEpoch++;
    lookups.clear();
  }

  /** Bytes the entries hold. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Entries found / not found, since start. */
  public synchronized long[] hitsAndMisses() {
    return new long[] {hits, misses};
  }

  /** The first {@code n} samples as chunks of up to {@value #CHUNK_SAMPLES}. */
  static XorChunk[] encode(long[] t, double[] v, int n) {
    XorChunk[] out = new XorChunk[(n + CHUNK_SAMPLES - 1) / CHUNK_SAMPLES];
    for (int k = 0; k < out.length; k++) {
      XorChunk c = new XorChunk();
      for (int i = k * CHUNK_SAMPLES; i < Math.min(n, (k + 1) * CHUNK_SAMPLES); i++) {
        c.append(t[i], v[i]);
      }
      c.seal();
      out[k] = c;
    }
    return out;
  }

  /** What chunks hold, with a little for the objects. */
  static long bytesOf(XorChunk[] chunks) {
    long b = 64;
    for (XorChunk c : chunks) {
      b += c.bytes() + 64;
    }
    return b;
  }

  /** An entry of {@code [from, to)} holding the first {@code n} samples. */
  static Entry entry(long from, long to, long[] t, double[] v, int n) {
    XorChunk[] chunks = encode(t, v, n);
    return new Entry(from, to, chunks, bytesOf(chunks));
  }
}
