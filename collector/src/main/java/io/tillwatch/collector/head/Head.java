package io.tillwatch.collector.head;

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
  private final Duration window;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong outOfOrder = new AtomicLong();

  public Head(Duration window) {
    this.window = window;
  }

  /** Appends a sample; one older than the series' newest is counted and left to storage. */
  public void append(Series s, long timeMillis, double value) {
    if (series.computeIfAbsent(s, k -> new SeriesHead()).append(timeMillis, value)) {
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
          if (h.isEmpty()) {
            series.remove(s, h);
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

  /** The series held. */
  public Set<Series> series() {
    return series.keySet();
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
