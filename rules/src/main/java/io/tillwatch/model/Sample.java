package io.tillwatch.model;

import java.util.Objects;

/**
 * One value of one series at the time it was collected.
 *
 * @param metric the metric it belongs to
 * @param labels the series' labels (without the metric name)
 * @param value the value; never NaN for tillwatch's own metrics
 */
public record Sample(Metric metric, Labels labels, double value) {
  public Sample {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(labels, "labels");
  }

  /** The same sample with {@code extra} labels added (overriding equal names). */
  public Sample withLabels(Labels extra) {
    return new Sample(metric, labels.withAll(extra), value);
  }

  @Override
  public String toString() {
    return metric.name() + labels + " " + value;
  }
}
