package io.tillwatch.model;

import java.util.Objects;

/**
 * The identity of one time series: its name and its labels.
 *
 * @param name the series' name, e.g. {@code tillwatch_pg_replication_lag_bytes} or {@code x_bucket}
 * @param labels its labels, without the name
 */
public record Series(String name, Labels labels) {
  public Series {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(labels, "labels");
  }

  /** The value of label {@code tenant}, or {@code null}. */
  public String tenant() {
    return labels.get("tenant");
  }

  /** Prometheus notation: {@code name{a="1"}}. */
  @Override
  public String toString() {
    return labels.isEmpty() ? name : name + labels;
  }
}
