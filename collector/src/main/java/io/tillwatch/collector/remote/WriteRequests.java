package io.tillwatch.collector.remote;

import com.google.protobuf.CodedOutputStream;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  /** One series' samples for a request, in time order. */
  public record TimeSeries(Series series, long[] times, double[] values, int count) {}

  /** Collects samples per series in arrival order; {@link #encode} writes them. */
  public static final class Builder {
    private final Map<Series, long[]> times = new LinkedHashMap<>();
    private final Map<Series, double[]> values = new LinkedHashMap<>();
    private final Map<Series, Integer> counts = new LinkedHashMap<>();
    private int samples;
    private long highest = Long.MIN_VALUE;

    public void add(Series s, long time, double value) {
      int n = counts.getOrDefault(s, 0);
      long[] t = times.get(s);
      double[] v = values.get(s);
      if (t == null) {
        t = new long[2];
        v = new double[2];
      } else if (n == t.length) {
        t = java.util.Arrays.copyOf(t, n * 2);
        v = java.util.Arrays.copyOf(v, n * 2);
      }
      t[n] = time;
      v[n] = value;
      times.put(s, t);
      values.put(s, v);
      counts.put(s, n + 1);
      samples++;
      highest = Math.max(highest, time);
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
      List<TimeSeries> out = new ArrayList<>(counts.size());
      counts.forEach((s, n) -> out.add(new TimeSeries(s, times.get(s), values.get(s), n)));
      return out;
    }

    /** A serialized {@code WriteRequest} of everything added. */
    public byte[] encode() {
      return WriteRequests.encode(series());
    }

    /** As above, each series' labels from {@code labels}. */
    public byte[] encode(java.util.function.Function<Series, byte[]> labels) {
      return WriteRequests.encode(series(), labels);
    }
  }

  /** A serialized {@code WriteRequest} holding {@code series}. */
  public static byte[] encode(List<TimeSeries> series) {
    return encode(series, WriteRequests::labelBlock);
  }

  /**
   * As above, each series' labels taken from {@code labels} (the serialized {@code Label} fields of
   * a {@code TimeSeries}, e.g. cached: series come again batch after batch).
   */
  public static byte[] encode(
      List<TimeSeries> series, java.util.function.Function<Series, byte[]> labels) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * series.size() + 16);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      for (TimeSeries ts : series) {
        byte[] block = labels.apply(ts.series());
        int size = block.length;
        for (int i = 0; i < ts.count(); i++) {
          int n = sampleSize(ts.values()[i], ts.times()[i]);
          size +=
              CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
        }
        out.writeTag(1, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(size);
        out.writeRawBytes(block);
        for (int i = 0; i < ts.count(); i++) {
          out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(sampleSize(ts.values()[i], ts.times()[i]));
          out.writeDouble(1, ts.values()[i]);
          out.writeInt64(2, ts.times()[i]);
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
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
