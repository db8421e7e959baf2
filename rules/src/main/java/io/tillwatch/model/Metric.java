package io.tillwatch.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A metric's name as users query it, its type and help text.
 *
 * @param name the full name, e.g. {@code tillwatch_pg_wal_archive_failed_total}
 * @param type gauge, counter ({@code _total}) or info ({@code _info})
 * @param help one line: meaning, unit, what to alert on
 */
public record Metric(String name, MetricType type, String help) {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  public Metric {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(help, "help");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name: " + name);
    }
    if (type == MetricType.COUNTER && !name.endsWith("_total")) {
      throw new IllegalArgumentException("a counter's name ends in _total: " + name);
    }
    if (type == MetricType.INFO && !name.endsWith("_info")) {
      throw new IllegalArgumentException("an info metric's name ends in _info: " + name);
    }
    if (type == MetricType.HISTOGRAM
        && (name.endsWith("_bucket") || name.endsWith("_sum") || name.endsWith("_count"))) {
      throw new IllegalArgumentException(
          "a histogram is named without its _bucket/_sum/_count suffix: " + name);
    }
  }

  /** A gauge. */
  public static Metric gauge(String name, String help) {
    return new Metric(name, MetricType.GAUGE, help);
  }

  /** A counter; the name ends in {@code _total}. */
  public static Metric counter(String name, String help) {
    return new Metric(name, MetricType.COUNTER, help);
  }

  /** An info metric; the name ends in {@code _info}. */
  public static Metric info(String name, String help) {
    return new Metric(name, MetricType.INFO, help);
  }

  /**
   * A histogram family; its samples carry the suffix {@code _bucket}, {@code _sum} or {@code
   * _count}.
   */
  public static Metric histogram(String name, String help) {
    return new Metric(name, MetricType.HISTOGRAM, help);
  }

  /** A sample of this metric. */
  public Sample sample(Labels labels, double value) {
    return new Sample(this, labels, value);
  }

  /** A sample of this metric with labels given as name/value pairs. */
  public Sample sample(double value, String... labelNamesAndValues) {
    return new Sample(this, Labels.of(labelNamesAndValues), value);
  }
}
