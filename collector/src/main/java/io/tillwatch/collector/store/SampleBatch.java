package io.tillwatch.collector.store;

import io.tillwatch.model.Series;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** Samples of one ingest request, in columns: series, time (ms since the epoch), value. */
public final class SampleBatch {
  private Series[] series = new Series[64];
  private long[] times = new long[64];
  private double[] values = new double[64];
  private boolean[] deltas;
  private int size;
  private String lastTenant;
  private final Set<String> tenants = new LinkedHashSet<>();

  /**
   * Adds one sample; its series must carry a {@code tenant} label. A {@code delta} value is an
   * increase since the sender's previous report, made cumulative by {@link #applyDeltas}.
   */
  public void add(Series s, long timeMillis, double value, boolean delta) {
    add(s, s.tenant(), timeMillis, value, delta);
  }

  /** Adds one sample whose series' {@code tenant} label the caller has at hand. */
  public void add(Series s, String tenant, long timeMillis, double value, boolean delta) {
    if (size == times.length) {
      int capacity = size * 2;
      series = Arrays.copyOf(series, capacity);
      times = Arrays.copyOf(times, capacity);
      values = Arrays.copyOf(values, capacity);
    }
    if (delta) {
      if (deltas == null) {
        deltas = new boolean[times.length];
      } else if (deltas.length < times.length) {
        deltas = Arrays.copyOf(deltas, times.length);
      }
      deltas[size] = true;
    }
    series[size] = s;
    times[size] = timeMillis;
    values[size] = value;
    size++;
    if (!tenant.equals(lastTenant)) { // samples come grouped: skip the set most of the time
      tenants.add(tenant);
      lastTenant = tenant;
    }
  }

  private String batchId;

  /**
   * The sender's id of the request these samples came in ({@code X-Tillwatch-Batch-Id}): kept with
   * them in the same transaction, so that a retry of a committed request is known.
   */
  public SampleBatch withBatchId(String id) {
    this.batchId = id;
    return this;
  }

  /** The sender's id of the request, or null. */
  public String batchId() {
    return batchId;
  }

  /** Which samples to keep, by index. */
  public interface Keep {
    boolean keep(int i);
  }

  /** The samples {@code keep} accepts, as a batch of their own (this one when it keeps all). */
  public SampleBatch filter(Keep keep) {
    SampleBatch out = null;
    for (int i = 0; i < size; i++) {
      boolean k = keep.keep(i);
      if (!k && out == null) {
        out = new SampleBatch();
        for (int j = 0; j < i; j++) {
          out.add(series[j], series[j].tenant(), times[j], values[j], isDelta(j));
        }
      } else if (k && out != null) {
        out.add(series[i], series[i].tenant(), times[i], values[i], isDelta(i));
      }
    }
    return out == null ? this : out;
  }

  private boolean isDelta(int i) {
    return deltas != null && i < deltas.length && deltas[i];
  }

  /** Turns a series' delta into its running total. */
  public interface RunningTotals {
    /** Adds {@code delta} to the series' total and returns the new total. */
    double add(Series series, double delta);
  }

  /**
   * Makes every delta value its series' running total, from the deltas as they came: again after a
   * rolled-back write gives the same totals.
   */
  public void applyDeltas(RunningTotals accumulator) {
    if (deltas == null) {
      return;
    }
    if (received == null) {
      received = Arrays.copyOf(values, size);
    }
    for (int i = 0; i < size; i++) {
      if (i < deltas.length && deltas[i]) {
        values[i] = accumulator.add(series[i], received[i]);
      }
    }
  }

  // the values as received, where deltas are replaced by totals
  private double[] received;

  public int size() {
    return size;
  }

  public Series series(int i) {
    return series[i];
  }

  public long time(int i) {
    return times[i];
  }

  public double value(int i) {
    return values[i];
  }

  /** The tenants the samples belong to. */
  public Set<String> tenants() {
    return tenants;
  }
}
