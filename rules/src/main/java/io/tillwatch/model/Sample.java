package io.tillwatch.model;

import java.util.Objects;

/**
 * One value of one series at the time it was collected.
 *
 * @param metric the metric (family) it belongs to
 * @param suffix what the series' name adds to the family's: {@code _bucket}, {@code _sum} or {@code
 *     _count} for a histogram, empty otherwise
 * @param labels the series' labels (without the metric name)
 * @param value the value; never NaN for tillwatch's own metrics
 */
public record Sample(Metric metric, String suffix, Labels labels, double value) {
  public Sample {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(suffix, "suffix");
    Objects.requireNonNull(labels, "labels");
  }

  /** A sample whose series is named as its metric. */
  public Sample(Metric metric, Labels labels, double value) {
    this(metric, "", labels, value);
  }

  /** The series' name: the metric's name and the suffix. */
  public String name() {
    return suffix.isEmpty() ? metric.name() : metric.name() + suffix;
  }

  /** The same sample with {@code extra} labels added (overriding equal names). */
  public Sample withLabels(Labels extra) {
    return new Sample(metric, suffix, labels.withAll(extra), value);
  }

  @Override
  public String toString() {
    return name() + labels + " " + value;
  }
}
