package io.tillwatch.collector.chunk;

import java.util.Arrays;

/**
 * Up to {@value #CAPACITY} samples of one series, compressed as in Facebook's Gorilla paper (and
 * Prometheus's XOR chunks): timestamps as delta-of-delta in variable bit buckets, values as the XOR
 * with the previous value, storing only its meaningful bits. A regular series of unchanged values
 * costs two bits a sample.
 */
public final class XorChunk {
  /** Samples a head chunk holds before it is sealed (storage chunks may hold more). */
  public static final int CAPACITY = 120;

  private byte[] bits = new byte[32];
  private int bitLength;
  private int count;
  private long firstTime;
  private long lastTime;
  private long lastDelta;
  private long lastValueBits;
  private int leading = -1;
  private int trailing;

  public XorChunk() {}

  private XorChunk(byte[] bits, int count, long firstTime, long lastTime) {
    this.bits = bits;
    this.bitLength = bits.length * 8;
    this.count = count;
    this.firstTime = firstTime;
    this.lastTime = lastTime;
  }

  /**
   * A chunk to read from what {@link #encoded()} gave, with its sample count and first and last
   * times (kept beside the bytes); not for appending.
   */
  public static XorChunk of(byte[] encoded, int count, long firstTime, long lastTime) {
    return new XorChunk(encoded, count, firstTime, lastTime);
  }

  /** The encoded samples, exactly as many bytes as they take. */
  public byte[] encoded() {
    return Arrays.copyOf(bits, (bitLength + 7) >>> 3);
  }

  /** Appends a sample; times must not go backwards (the caller checks). */
  public void append(long time, double value) {
    long v = Double.doubleToRawLongBits(value);
    if (count == 0) {
      writeBits(time, 64);
      writeBits(v, 64);
      firstTime = time;
    } else {
      long delta = time - lastTime;
      writeDod(delta - lastDelta);
      writeXor(v ^ lastValueBits);
      lastDelta = delta;
    }
    lastTime = time;
    lastValueBits = v;
    count++;
  }

  private void writeDod(long dod) {
    if (dod == 0) {
      writeBits(0, 1);
    } else if (dod >= -(1 << 13) && dod < (1 << 13)) {
      writeBits(0b10, 2);
      writeBits(dod, 14);
    } else if (dod >= -(1 << 16) && dod < (1 << 16)) {
      writeBits(0b110, 3);
      writeBits(dod, 17);
    } else if (dod >= -(1 << 19) && dod < (1 << 19)) {
      writeBits(0b1110, 4);
      writeBits(dod, 20);
    } else {
      writeBits(0b1111, 4);
      writeBits(dod, 64);
    }
  }

  private void writeXor(long x) {
    if (x == 0) {
      writeBits(0, 1);
      return;
    }
    int lz = Math.min(31, Long.numberOfLeadingZeros(x));
    int tz = Long.numberOfTrailingZeros(x);
    if (leading >= 0 && lz >= leading && tz >= trailing) {
      writeBits(0b10, 2); // the previous window holds it
      writeBits(x >>> trailing, 64 - leading - trailing);
    } else {
      int significant = 64 - lz - tz;
      writeBits(0b11, 2);
      writeBits(lz, 5);
      writeBits(significant == 64 ? 0 : significant, 6);
      writeBits(x >>> tz, significant);
      leading = lz;
      trailing = tz;
    }
  }

  private void writeBits(long value, int n) {
    int needed = (bitLength + n + 7) >>> 3;
    if (needed > bits.length) {
      bits = Arrays.copyOf(bits, Math.max(needed, bits.length * 2));
    }
    while (n > 0) { // a byte's worth at a time
      int free = 8 - (bitLength & 7);
      int take = Math.min(free, n);
      int chunk = (int) ((value >>> (n - take)) & ((1 << take) - 1));
      bits[bitLength >>> 3] |= (byte) (chunk << (free - take));
      bitLength += take;
      n -= take;
    }
  }

  /** Trims the buffer to the bits written; no more appends are expected. */
  public void seal() {
    bits = Arrays.copyOf(bits, (bitLength + 7) >>> 3);
  }

  public int count() {
    return count;
  }

  public boolean isFull() {
    return count >= CAPACITY;
  }

  public long firstTime() {
    return firstTime;
  }

  public long lastTime() {
    return lastTime;
  }

  /** Bytes the encoded samples take (the last one rounded up to a whole byte). */
  public int encodedBytes() {
    return (bitLength + 7) >>> 3;
  }

  /** Bytes held by the encoded samples (the buffer as allocated). */
  public int bytes() {
    return bits.length;
  }

  /** Receives decoded samples. */
  public interface Visitor {
    void sample(long time, double value);
  }

  /** Decodes every sample with {@code from <= time <= to}, in time order. */
  public void read(long from, long to, Visitor visitor) {
    if (count == 0 || lastTime < from || firstTime > to) {
      return;
    }
    long[] times = new long[count];
    double[] values = new double[count];
    int n = decodeInto(from, to, times, values, 0);
    for (int i = 0; i < n; i++) {
      visitor.sample(times[i], values[i]);
    }
  }

  /**
   * Decodes every sample with {@code from <= time <= to} into {@code times} and {@code values} from
   * index {@code at}, which must have room for {@link #count()} more; the number decoded.
   */
  public int decodeInto(long from, long to, long[] times, double[] values, int at) {
    if (count == 0 || lastTime < from || firstTime > to) {
      return 0;
    }
    Reader r = new Reader(bits);
    long t = r.bits(64);
    long v = r.bits(64);
    long delta = 0;
    int lead = 0;
    int trail = 0;
    int n = at;
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        delta += dod(r);
        t += delta;
        if (r.bit() == 1) {
          if (r.bit() == 1) {
            lead = (int) r.bits(5);
            int significant = (int) r.bits(6);
            if (significant == 0) {
              significant = 64;
            }
            trail = 64 - lead - significant;
          }
          v ^= r.bits(64 - lead - trail) << trail;
        }
      }
      if (t > to) {
        break;
      }
      if (t >= from) {
        times[n] = t;
        values[n++] = Double.longBitsToDouble(v);
      }
    }
    return n - at;
  }

  private static long dod(Reader r) {
    if (r.bit() == 0) {
      return 0;
    }
    if (r.bit() == 0) {
      return signed(r.bits(14), 14);
    }
    if (r.bit() == 0) {
      return signed(r.bits(17), 17);
    }
    if (r.bit() == 0) {
      return signed(r.bits(20), 20);
    }
    return r.bits(64);
  }

  /** An n-bit two's complement value, as written by {@code writeBits(dod, n)}. */
  private static long signed(long raw, int n) {
    return (raw << (64 - n)) >> (64 - n);
  }

  private static final class Reader {
    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final byte[] bits;
    private int pos;

    Reader(byte[] bits) {
      this.bits = bits;
    }

    int bit() {
      int b = (bits[pos >>> 3] >>> (7 - (pos & 7))) & 1;
      pos++;
      return b;
    }

    /** The next {@code n} bits (0–64) as an unsigned number. */
    long bits(int n) {
      if (n == 0) {
        return 0;
      }
      if (n > 57) { // more than one 64-bit load can hold after a bit offset of up to 7
        long high = bits(n - 32);
        return (high << 32) | bits(32);
      }
      int at = pos >>> 3;
      long word = at + 8 <= bits.length ? (long) LONGS.get(bits, at) : tail(at); // the next 8 bytes
      long v = (word << (pos & 7)) >>> (64 - n);
      pos += n;
      return v;
    }

    /** The bytes from {@code at} to the end, as the high bytes of a long. */
    private long tail(int at) {
      long w = 0;
      for (int k = 0; k < 8; k++) {
        w = (w << 8) | (at + k < bits.length ? bits[at + k] & 0xff : 0);
      }
      return w;
    }
  }
}
