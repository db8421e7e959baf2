package io.tillwatch.model;

/** The kind of a metric, as in the Prometheus exposition formats. */
public enum MetricType {
  /** A value that goes up and down. */
  GAUGE,
  /** A monotonically increasing count; its name ends in {@code _total}. */
  COUNTER,
  /** Label-only series of value 1; its name ends in {@code _info}. */
  INFO,
  /** Cumulative buckets ({@code _bucket{le}}), {@code _sum} and {@code _count} of a family. */
  HISTOGRAM,
  /** A series whose exposition declared no type (untyped). */
  UNKNOWN
}
