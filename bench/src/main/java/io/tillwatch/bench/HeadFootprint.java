package io.tillwatch.bench;

import io.tillwatch.collector.head.Head;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The head's memory: {@code series} series of the agent's kinds, a sample every 15 s (stamped on
 * schedule, as the agent does) for the 3-hour head window. Reports encoded bytes per sample and the
 * heap each series costs once the head is full (label sets and chunk objects included).
 *
 * <p>Usage: {@code HeadFootprint [series=10000]}; run with a fixed heap, e.g. {@code -Xmx2g}.
 */
public final class HeadFootprint {
  private HeadFootprint() {}

  public static void main(String[] args) {
    int seriesCount = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int samplesPerSeries = 720; // 3 h at 15 s
    Random random = new Random(7);
    List<Series> series = new ArrayList<>(seriesCount);
    int[] kind = new int[seriesCount];
    double[] value = new double[seriesCount];
    for (int i = 0; i < seriesCount; i++) {
      kind[i] = i % 10; // 0-3 steady gauges, 4-6 counters, 7-8 changing gauges, 9 histogram buckets
      String name =
          switch (kind[i]) {
            case 0, 1, 2, 3 -> "tillwatch_target_up";
            case 4, 5, 6 -> "tillwatch_odoo_orders_total";
            case 7, 8 -> "tillwatch_pg_replication_lag_seconds";
            default -> "traefik_service_request_duration_seconds_bucket";
          };
      series.add(
          new Series(
              name,
              Labels.of(
                  "tenant",
                  "tenant-" + (i % 200),
                  "target",
                  "t-" + i,
                  "service",
                  "odoo-" + i % 50)));
      value[i] = kind[i] >= 4 && kind[i] <= 6 ? random.nextInt(100_000) : 1;
    }
    long before = usedHeap();
    Head head = new Head(Duration.ofHours(3));
    Head[] byKind = new Head[4]; // the same samples again, one head per kind, for the breakdown
    for (int k = 0; k < byKind.length; k++) {
      byKind[k] = new Head(Duration.ofHours(3));
    }
    long t0 = 1_763_800_000_000L;
    for (int s = 0; s < samplesPerSeries; s++) {
      long t = t0 + s * 15_000L;
      for (int i = 0; i < seriesCount; i++) {
        value[i] =
            switch (kind[i]) {
              case 0, 1, 2, 3 -> value[i]; // up, state, info: the same value for hours
              case 4, 5, 6 -> value[i] + random.nextInt(20); // counters: small increments
              case 7, 8 -> Math.round(random.nextDouble() * 5000) / 1000.0; // lag in ms precision
              default -> value[i] + (random.nextInt(4) == 0 ? random.nextInt(5) : 0);
            };
        head.append(series.get(i), t, value[i]);
        byKind[group(kind[i])].append(series.get(i), t, value[i]);
      }
    }
    String[] groups = {
      "steady gauges (up, states)", "counters", "changing gauges (lag, ms)", "histogram buckets"
    };
    for (int k = 0; k < byKind.length; k++) {
      System.out.printf(
          Locale.ROOT,
          "  %-28s %.2f bytes per sample%n",
          groups[k],
          (double) byKind[k].encodedBytes() / byKind[k].samples());
    }
    byKind = null;
    long after = usedHeap();
    long samples = head.samples();
    System.out.printf(
        Locale.ROOT,
        "%d series x %d samples (3 h at 15 s) = %d samples%n"
            + "  encoded: %d bytes, %.2f bytes per sample%n"
            + "  heap with label sets and objects: %.1f MiB, %.0f bytes per series, %.2f bytes per"
            + " sample%n",
        seriesCount,
        samplesPerSeries,
        samples,
        head.encodedBytes(),
        (double) head.encodedBytes() / samples,
        (after - before) / 1048576.0,
        (double) (after - before) / seriesCount,
        (double) (after - before) / samples);
    if (head.series().size() != seriesCount) {
      throw new IllegalStateException("lost series");
    }
  }

  private static int group(int kind) {
    return kind <= 3 ? 0 : kind <= 6 ? 1 : kind <= 8 ? 2 : 3;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
