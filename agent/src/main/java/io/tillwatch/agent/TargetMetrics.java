package io.tillwatch.agent;

import io.tillwatch.model.Metric;

/** Metrics the runner reports for every target, whatever its type. */
public final class TargetMetrics {
  private TargetMetrics() {}

  /** 1 when the last scrape succeeded, 0 when it failed or timed out. Alert on 0. */
  public static final Metric UP =
      Metric.gauge(
          "tillwatch_target_up", "1 if the last scrape of the target succeeded, 0 if not.");

  /** Seconds the last scrape took (the timeout when it timed out). */
  public static final Metric SCRAPE_DURATION =
      Metric.gauge(
          "tillwatch_target_scrape_duration_seconds",
          "Seconds the last scrape of the target took.");

  /** Present while the target is down; {@code reason} says why (refused, auth, timeout, ...). */
  public static final Metric LAST_ERROR =
      Metric.info(
          "tillwatch_target_last_error_info",
          "Why the target's last scrape failed (refused, auth, timeout, dns, ...); present while it is down.");

  /** Unix time of the last scrape's end. */
  public static final Metric LAST_SCRAPE =
      Metric.gauge(
          "tillwatch_target_last_scrape_timestamp_seconds",
          "Unix time in seconds when the last scrape of the target ended.");
}
