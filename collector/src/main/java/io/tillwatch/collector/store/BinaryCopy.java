package io.tillwatch.collector.store;

import java.util.Arrays;

/**
 * Rows of {@code samples(time, series_id, value)} in PostgreSQL's binary {@code COPY} format: a
 * signature, then per row the field count and each field's length and big-endian bytes.
 */
public final class BinaryCopy {
  private static final byte[] HEADER = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
  };
  private static final long POSTGRES_EPOCH_MILLIS = 946_684_800_000L; // 2000-01-01T00:00:00Z
  private static final int ROW_BYTES = 2 + 3 * (4 + 8);

  private byte[] buf;
  private int pos;

  /** A stream with room for {@code rows} rows (it grows when more come). */
  public BinaryCopy(int rows) {
    buf = new byte[HEADER.length + rows * ROW_BYTES + 2];
    System.arraycopy(HEADER, 0, buf, 0, HEADER.length);
    pos = HEADER.length;
  }

  /** Adds a row: time in ms since the epoch, series id, value. */
  public void row(long timeMillis, long seriesId, double value) {
    if (pos + ROW_BYTES + 2 > buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    putShort(3);
    putInt(8);
    putLong((timeMillis - POSTGRES_EPOCH_MILLIS) * 1000L); // timestamptz: µs since 2000
    putInt(8);
    putLong(seriesId);
    putInt(8);
    putLong(Double.doubleToRawLongBits(value));
  }

  /** The complete stream, trailer included. */
  public byte[] finish() {
    putShort(-1);
    return Arrays.copyOf(buf, pos);
  }

  private void putShort(int v) {
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putInt(int v) {
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putLong(long v) {
    putInt((int) (v >>> 32));
    putInt((int) v);
  }
}
