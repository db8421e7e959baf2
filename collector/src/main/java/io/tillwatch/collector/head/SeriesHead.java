package io.tillwatch.collector.head;

import io.tillwatch.collector.chunk.XorChunk;
import java.util.ArrayList;
import java.util.List;

/** The recent samples of one series: sealed chunks and the one being filled. */
final class SeriesHead {
  private final long id;
  private final List<XorChunk> chunks = new ArrayList<>(4);
  private XorChunk open;
  private long lastTime = Long.MIN_VALUE;

  /**
   * @param id the series' storage id, or -1
   */
  SeriesHead(long id) {
    this.id = id;
  }

  long id() {
    return id;
  }

  /** Appends; false (and nothing stored) when {@code time} is not after the last sample's. */
  synchronized boolean append(long time, double value) {
    if (time <= lastTime) {
      return false;
    }
    if (open == null || open.isFull()) {
      if (open != null) {
        open.seal();
      }
      open = new XorChunk();
      chunks.add(open);
    }
    open.append(time, value);
    lastTime = time;
    return true;
  }

  /** Drops chunks whose every sample is older than {@code before}; the samples dropped. */
  synchronized int trim(long before) {
    int dropped = 0;
    while (!chunks.isEmpty() && chunks.getFirst().lastTime() < before) {
      XorChunk c = chunks.removeFirst();
      dropped += c.count();
      if (c == open) {
        open = null;
      }
    }
    return dropped;
  }

  synchronized void read(long from, long to, XorChunk.Visitor visitor) {
    for (XorChunk c : chunks) {
      c.read(from, to, visitor);
    }
  }

  /**
   * The samples with {@code from <= time <= to} decoded straight into arrays of their size, or null
   * when there are none.
   */
  synchronized Head.Samples samples(long from, long to) {
    int room = 0;
    for (XorChunk c : chunks) {
      if (c.count() > 0 && c.lastTime() >= from && c.firstTime() <= to) {
        room += c.count();
      }
    }
    if (room == 0) {
      return null;
    }
    long[] t = new long[room];
    double[] v = new double[room];
    int n = 0;
    for (XorChunk c : chunks) {
      n += c.decodeInto(from, to, t, v, n);
    }
    if (n == 0) {
      return null;
    }
    return n == room
        ? new Head.Samples(t, v)
        : new Head.Samples(java.util.Arrays.copyOf(t, n), java.util.Arrays.copyOf(v, n));
  }

  /** Whether a sample has {@code from <= time <= to}; decodes only a chunk straddling a bound. */
  synchronized boolean any(long from, long to) {
    for (XorChunk c : chunks) {
      if (c.count() == 0 || c.lastTime() < from || c.firstTime() > to) {
        continue;
      }
      if (c.firstTime() >= from || c.lastTime() <= to) {
        return true; // its first or last sample lies inside
      }
      boolean[] found = {false};
      c.read(from, to, (time, value) -> found[0] = true);
      if (found[0]) {
        return true;
      }
    }
    return false;
  }

  synchronized boolean isEmpty() {
    return chunks.isEmpty();
  }

  synchronized long bytes() {
    long b = 0;
    for (XorChunk c : chunks) {
      b += c.bytes();
    }
    return b;
  }

  synchronized long encodedBytes() {
    long b = 0;
    for (XorChunk c : chunks) {
      b += c.encodedBytes();
    }
    return b;
  }

  synchronized long samples() {
    long n = 0;
    for (XorChunk c : chunks) {
      n += c.count();
    }
    return n;
  }
}
