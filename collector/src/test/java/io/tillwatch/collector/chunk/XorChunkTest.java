package io.tillwatch.collector.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class XorChunkTest {
  private static List<double[]> readAll(XorChunk c) {
    List<double[]> out = new ArrayList<>();
    c.read(Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> out.add(new double[] {t, v}));
    return out;
  }

  @Test
  void randomSeriesRoundTripBitForBit() {
    Random random = new Random(42);
    for (int run = 0; run < 500; run++) {
      XorChunk c = new XorChunk();
      long[] times = new long[XorChunk.CAPACITY];
      double[] values = new double[XorChunk.CAPACITY];
      long t = random.nextLong(1L << 41);
      double v = random.nextDouble() * 1000;
      for (int i = 0; i < XorChunk.CAPACITY; i++) {
        // every kind of gap and value: regular, jitter, huge jumps, specials
        t +=
            switch (random.nextInt(6)) {
              case 0 -> 15_000;
              case 1 -> 15_000 + random.nextInt(20) - 10;
              case 2 -> random.nextInt(1 << 20);
              case 3 -> 1 + random.nextLong(1L << 40);
              case 4 -> 8192 + random.nextInt(3) - 1;
              default -> 1;
            };
        v =
            switch (random.nextInt(7)) {
              case 0 -> v;
              case 1 -> v + random.nextInt(10);
              case 2 -> random.nextGaussian();
              case 3 -> Double.NaN;
              case 4 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : -0.0;
              case 5 -> Double.longBitsToDouble(random.nextLong());
              default -> random.nextInt(3);
            };
        times[i] = t;
        values[i] = v;
        c.append(t, v);
      }
      c.seal();
      List<double[]> back = readAll(c);
      assertThat(back).hasSize(XorChunk.CAPACITY);
      for (int i = 0; i < back.size(); i++) {
        assertThat((long) back.get(i)[0]).as("time %d of run %d", i, run).isEqualTo(times[i]);
        assertThat(Double.doubleToRawLongBits(back.get(i)[1]))
            .as("value %d of run %d", i, run)
            .isEqualTo(Double.doubleToRawLongBits(values[i]));
      }
    }
  }

  @Test
  void readHonoursTheTimeRange() {
    XorChunk c = new XorChunk();
    for (int i = 0; i < 100; i++) {
      c.append(1_000_000L + i * 1000L, i);
    }
    List<double[]> part = new ArrayList<>();
    c.read(1_010_000L, 1_019_000L, (t, v) -> part.add(new double[] {t, v}));
    assertThat(part).hasSize(10);
    assertThat(part.getFirst()[1]).isEqualTo(10.0);
    assertThat(part.getLast()[1]).isEqualTo(19.0);
  }

  @Test
  void aRegularUnchangingSeriesCostsAboutTwoBitsASample() {
    XorChunk c = new XorChunk();
    for (int i = 0; i < XorChunk.CAPACITY; i++) {
      c.append(1_700_000_000_000L + i * 15_000L, 1.0);
    }
    c.seal();
    // 16 bytes for the first sample, then 2 bits each (a 20-bit first delta aside)
    assertThat(c.bytes()).isLessThan(16 + 4 + XorChunk.CAPACITY / 4 + 2);
  }

  @Test
  void encodedBytesReadBackBitForBitIncludingNaNsAndRanges() {
    XorChunk c = new XorChunk();
    java.util.Random r = new java.util.Random(7);
    int n = 1024;
    long[] times = new long[n];
    double[] values = new double[n];
    long t = 1_700_000_000_123L;
    for (int i = 0; i < n; i++) {
      t += 15_000 + (i % 7 == 0 ? r.nextInt(2_000) - 1_000 : 0);
      times[i] = t;
      values[i] =
          switch (i % 5) {
            case 0 -> Double.longBitsToDouble(0x7ff0000000000002L); // a NaN of its own
            case 1 -> r.nextDouble() * 1e6;
            case 2 -> i;
            case 3 -> Double.NaN;
            default -> -0.0;
          };
      c.append(times[i], values[i]);
    }
    byte[] encoded = c.encoded();
    assertThat(encoded).hasSize(c.encodedBytes());
    XorChunk back = XorChunk.of(encoded, n, times[0], times[n - 1]);
    long[] bt = new long[n + 5];
    double[] bv = new double[n + 5];
    assertThat(back.decodeInto(Long.MIN_VALUE, Long.MAX_VALUE, bt, bv, 5)).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(bt[i + 5]).isEqualTo(times[i]);
      assertThat(Double.doubleToRawLongBits(bv[i + 5]))
          .isEqualTo(Double.doubleToRawLongBits(values[i]));
    }
    // a range inside: exactly the samples in it
    int got = back.decodeInto(times[100], times[199], bt, bv, 0);
    assertThat(got).isEqualTo(100);
    assertThat(bt[0]).isEqualTo(times[100]);
    assertThat(bt[99]).isEqualTo(times[199]);
    assertThat(back.decodeInto(times[n - 1] + 1, Long.MAX_VALUE, bt, bv, 0)).isZero();
  }
}
