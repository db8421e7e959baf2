package io.tillwatch.collector.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What one tenant may write ({@code collector.limits}, Mimir's names where it has them), with
 * overrides per tenant ({@code collector.limits.tenants.<id>}). A sample outside them is rejected
 * and counted in {@code tillwatch_ingest_rejected_samples_total{tenant, reason}}; the rest of its
 * request is kept.
 *
 * @param maxSeriesPerTenant series a tenant may have in the head (its active series); samples of
 *     new series past it are rejected ({@code per_tenant_series_limit})
 * @param maxLabelNamesPerSeries labels a series may have, {@code tenant} included ({@code
 *     max_label_names_per_series})
 * @param maxLabelNameLength characters of a label name ({@code label_name_too_long})
 * @param maxLabelValueLength characters of a label value or metric name ({@code
 *     label_value_too_long})
 * @param maxSamplesPerRequest samples one request may hold; past it the request is refused whole
 *     ({@code max_samples_per_request})
 * @param maxHistogramBuckets buckets one histogram data point may have ({@code
 *     max_histogram_buckets})
 * @param outOfOrderWindow how old a sample may be ({@code sample_too_old}); by default the storage
 *     retention
 * @param creationGracePeriod how far ahead of the collector's clock a sample may be ({@code
 *     sample_too_far_in_future}), 10 minutes
 * @param tenants overrides by tenant id (each a whole set of limits)
 */
public record IngestLimits(
    int maxSeriesPerTenant,
    int maxLabelNamesPerSeries,
    int maxLabelNameLength,
    int maxLabelValueLength,
    int maxSamplesPerRequest,
    int maxHistogramBuckets,
    Duration outOfOrderWindow,
    Duration creationGracePeriod,
    Map<String, IngestLimits> tenants) {
  /** The longest tenant id (Mimir's): ids are labels, file names and URL parts. */
  public static final int MAX_TENANT_ID_LENGTH = 150;

  /** The defaults, with samples accepted back to {@code retention}. */
  public static IngestLimits defaults(Duration retention) {
    return new IngestLimits(
        150_000, 30, 1024, 2048, 1_000_000, 256, retention, Duration.ofMinutes(10), Map.of());
  }

  public IngestLimits {
    Objects.requireNonNull(outOfOrderWindow, "outOfOrderWindow");
    Objects.requireNonNull(creationGracePeriod, "creationGracePeriod");
    tenants = Map.copyOf(tenants);
    positive("max_series_per_tenant", maxSeriesPerTenant);
    positive("max_label_names_per_series", maxLabelNamesPerSeries);
    positive("max_label_name_length", maxLabelNameLength);
    positive("max_label_value_length", maxLabelValueLength);
    positive("max_samples_per_request", maxSamplesPerRequest);
    positive("max_histogram_buckets", maxHistogramBuckets);
    if (!outOfOrderWindow.isPositive()) {
      throw new IllegalArgumentException("out_of_order_window must be longer than 0s");
    }
    if (creationGracePeriod.isNegative()) {
      throw new IllegalArgumentException("creation_grace_period must not be negative");
    }
  }

  private static void positive(String name, long v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1");
    }
  }

  /** The limits of {@code tenant}: its override, or these. */
  public IngestLimits of(String tenant) {
    IngestLimits own = tenants.get(tenant);
    return own == null ? this : own;
  }
}
