package io.tillwatch.collector.config;

import java.time.Duration;

/**
 * How the release guard judges a release ({@code events.release_guard}).
 *
 * @param enabled whether releases are judged at all
 * @param window the time after a release that is compared, with the same time before it and the
 *     same time a week earlier
 * @param minEvents the fewest orders (or requests) a window needs for a comparison: fewer is too
 *     little traffic to judge
 * @param pValue how unlikely a change must be under "nothing changed" to count (one-sided exact
 *     tests on the counts)
 * @param minDrop how much order intake must fall, as a share of the baseline, to count
 * @param minShareRise how many percentage points (as a fraction) the share of server errors or of
 *     slow requests must rise to count
 * @param minBacklogRise how many jobs the stock-sync backlog must grow by (besides doubling)
 */
public record ReleaseGuardConfig(
    boolean enabled,
    Duration window,
    int minEvents,
    double pValue,
    double minDrop,
    double minShareRise,
    double minBacklogRise) {
  public static final ReleaseGuardConfig DEFAULT =
      new ReleaseGuardConfig(true, Duration.ofMinutes(30), 20, 0.01, 0.2, 0.01, 50);

  public ReleaseGuardConfig {
    if (window.compareTo(Duration.ofMinutes(5)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("window must be between 5m and 1d");
    }
    if (minEvents < 1) {
      throw new IllegalArgumentException("min_events must be at least 1");
    }
    if (!(pValue > 0 && pValue < 0.5)) {
      throw new IllegalArgumentException("p_value must be above 0 and below 0.5");
    }
    if (!(minDrop >= 0 && minDrop < 1)) {
      throw new IllegalArgumentException("min_drop must be from 0 to below 1");
    }
    if (!(minShareRise >= 0 && minShareRise < 1)) {
      throw new IllegalArgumentException("min_share_rise must be from 0 to below 1");
    }
    if (!(minBacklogRise >= 0)) {
      throw new IllegalArgumentException("min_backlog_rise must not be negative");
    }
  }
}
