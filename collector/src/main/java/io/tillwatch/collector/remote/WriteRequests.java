package io.tillwatch.collector.remote;

import com.google.protobuf.CodedOutputStream;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus remote-write 1.0 bodies ({@code prometheus.WriteRequest}, before snappy), written with
 * protobuf's own encoder from the schema's field numbers:
 *
 * <pre>
 * WriteRequest { repeated TimeSeries timeseries = 1; }
 * TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 * Label        { string name = 1; string value = 2; }
 * Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 * </pre>
 *
 * Labels are sorted by name with {@code __name__} among them, as receivers require. Serialized
 * {@code WriteRequest}s concatenate into one (protobuf appends repeated fields), which is how
 * queued pieces become one request.
 */
public final class WriteRequests {
  private WriteRequests() {}

  /**
   * One series' samples for a request, in time order.
   *
   * @param id the series' storage id
   */
  public record TimeSeries(long id, Series series, long[] times, double[] values, int count) {}

  /** Collects samples per series in arrival order; {@link #encode} writes them. */
  public static final class Builder {
    /** One series' samples gathered so far. */
    private static final class Run {
      final Series series;
      final long id;
      long[] times = new long[4];
      double[] values = new double[4];
      int n;

      Run(Series series, long id) {
        this.series = series;
        this.id = id;
      }
    }

    // runs in arrival order, found by storage id in an open-addressing table (no boxing, no
    // labels compared): a sample costs a probe or two
    private final List<Run> runs = new ArrayList<>();
    private long[] keys = new long[64];
    private int[] slots = new int[64]; // index into runs, plus one; 0: empty
    private int samples;
    private long highest = Long.MIN_VALUE;

    /** Adds a sample of series {@code s}, whose storage id is {@code id}. */
    public void add(long id, Series s, long time, double value) {
      Run r = find(id, s);
      if (r.n == r.times.length) {
        r.times = java.util.Arrays.copyOf(r.times, r.n * 2);
        r.values = java.util.Arrays.copyOf(r.values, r.n * 2);
      }
      r.times[r.n] = time;
      r.values[r.n++] = value;
      samples++;
      if (time > highest) {
        highest = time;
      }
    }

    private Run find(long id, Series s) {
      int mask = keys.length - 1;
      int i = (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
      while (slots[i] != 0) {
        if (keys[i] == id) {
          return runs.get(slots[i] - 1);
        }
        i = (i + 1) & mask;
      }
      Run r = new Run(s, id);
      runs.add(r);
      keys[i] = id;
      slots[i] = runs.size();
      if (runs.size() * 2 > keys.length) {
        grow();
      }
      return r;
    }

    private void grow() {
      long[] k = new long[keys.length * 2];
      int[] sl = new int[keys.length * 2];
      int mask = k.length - 1;
      for (int j = 0; j < runs.size(); j++) {
        long id = runs.get(j).id;
        int i = (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
        while (sl[i] != 0) {
          i = (i + 1) & mask;
        }
        k[i] = id;
        sl[i] = j + 1;
      }
      keys = k;
      slots = sl;
    }

    public int samples() {
      return samples;
    }

    /** The latest sample time added, or {@code Long.MIN_VALUE}. */
    public long highestTime() {
      return highest;
    }

    public boolean isEmpty() {
      return samples == 0;
    }

    /** The series gathered. */
    public List<TimeSeries> series() {
      List<TimeSeries> out = new ArrayList<>(runs.size());
      for (Run r : runs) {
        out.add(new TimeSeries(r.id, r.series, r.times, r.values, r.n));
      }
      return out;
    }

    /** A serialized {@code WriteRequest} of everything added. */
    public byte[] encode() {
      return WriteRequests.encode(series());
    }

    /** As above, each series' labels from {@code labels}. */
    public byte[] encode(java.util.function.Function<TimeSeries, byte[]> labels) {
      return WriteRequests.encode(series(), labels);
    }
  }

  /** A serialized {@code WriteRequest} holding {@code series}. */
  public static byte[] encode(List<TimeSeries> series) {
    return encode(series, ts -> labelBlock(ts.series()));
  }

  /**
   * As above, each series' labels taken from {@code labels} (the serialized {@code Label} fields of
   * a {@code TimeSeries}, e.g. cached: series come again batch after batch).
   */
  public static byte[] encode(
      List<TimeSeries> series, java.util.function.Function<TimeSeries, byte[]> labels) {
    // sizes first, then one array of exactly that size written in place: no buffer, no copies
    byte[][] blocks = new byte[series.size()][];
    int[] sizes = new int[series.size()];
    int total = 0;
    for (int k = 0; k < series.size(); k++) {
      TimeSeries ts = series.get(k);
      blocks[k] = labels.apply(ts);
      int size = blocks[k].length;
      for (int i = 0; i < ts.count(); i++) {
        int n = sampleSize(ts.values()[i], ts.times()[i]);
        size +=
            CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
      }
      sizes[k] = size;
      total +=
          CodedOutputStream.computeTagSize(1)
              + CodedOutputStream.computeUInt32SizeNoTag(size)
              + size;
    }
    byte[] body = new byte[total];
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(body);
      for (int k = 0; k < series.size(); k++) {
        TimeSeries ts = series.get(k);
        out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(sizes[k]);
        out.writeRawBytes(blocks[k]);
        for (int i = 0; i < ts.count(); i++) {
          out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(sampleSize(ts.values()[i], ts.times()[i]));
          out.writeDouble(1, ts.values()[i]);
          out.writeInt64(2, ts.times()[i]);
        }
      }
      out.checkNoSpaceLeft();
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an array of the computed size does not fail
    }
  }

  /** The serialized {@code Label} fields of a series' {@code TimeSeries}, sorted by name. */
  public static byte[] labelBlock(Series s) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (Map.Entry<String, String> l : labels(s).entrySet()) {
        out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(labelSize(l.getKey(), l.getValue()));
        out.writeString(1, l.getKey());
        out.writeString(2, l.getValue());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The labels as sent: the series' labels and {@code __name__}, by name. */
  static TreeMap<String, String> labels(Series s) {
    TreeMap<String, String> out = new TreeMap<>();
    Labels l = s.labels();
    for (String name : l.names()) {
      out.put(name, l.get(name));
    }
    out.put("__name__", s.name());
    return out;
  }

  private static int labelSize(String name, String value) {
    return CodedOutputStream.computeStringSize(1, name)
        + CodedOutputStream.computeStringSize(2, value);
  }

  private static int sampleSize(double value, long time) {
    return CodedOutputStream.computeDoubleSize(1, value)
        + CodedOutputStream.computeInt64Size(2, time);
  }
}
