package io.tillwatch.collector.remote;

import io.tillwatch.model.Series;

/**
 * Each series' serialized labels, by storage id: series come again batch after batch, so their
 * labels are encoded once. An open-addressing table of primitive ids (no boxing a lookup); emptied
 * when it reaches its bound. Not thread-safe: one appending thread uses it.
 */
final class LabelBlocks {
  private final int bound;
  private long[] keys = new long[1024];
  private byte[][] blocks = new byte[1024][];
  private int size;

  LabelBlocks(int bound) {
    this.bound = bound;
  }

  /** The labels of {@code s}, whose storage id is {@code id}. */
  byte[] get(long id, Series s) {
    int mask = keys.length - 1;
    int i = slot(id, mask);
    while (blocks[i] != null) {
      if (keys[i] == id) {
        return blocks[i];
      }
      i = (i + 1) & mask;
    }
    if (size >= bound) {
      keys = new long[1024];
      blocks = new byte[1024][];
      size = 0;
      return get(id, s);
    }
    byte[] b = WriteRequests.labelBlock(s);
    keys[i] = id;
    blocks[i] = b;
    if (++size * 2 > keys.length) {
      grow();
    }
    return b;
  }

  int size() {
    return size;
  }

  private static int slot(long id, int mask) {
    return (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
  }

  private void grow() {
    long[] k = new long[keys.length * 2];
    byte[][] b = new byte[keys.length * 2][];
    int mask = k.length - 1;
    for (int j = 0; j < keys.length; j++) {
      if (blocks[j] != null) {
        int i = slot(keys[j], mask);
        while (b[i] != null) {
          i = (i + 1) & mask;
        }
        k[i] = keys[j];
        b[i] = blocks[j];
      }
    }
    keys = k;
    blocks = b;
  }
}
