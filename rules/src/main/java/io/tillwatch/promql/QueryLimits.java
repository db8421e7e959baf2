package io.tillwatch.promql;

import java.time.Duration;

/**
 * What one query may cost, with Prometheus's names and defaults: {@code query.max-samples} (samples
 * held at once: selected, and the steps of a subquery) and {@code query.timeout}.
 *
 * @param maxSamples the most samples one evaluation step may load
 * @param timeout how long a query may run
 */
public record QueryLimits(long maxSamples, Duration timeout) {
  /** Prometheus's defaults: 50,000,000 samples, 2 minutes. */
  public static final QueryLimits DEFAULT = new QueryLimits(50_000_000L, Duration.ofMinutes(2));

  public QueryLimits {
    if (maxSamples < 1) {
      throw new IllegalArgumentException("max_samples must be at least 1");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be longer than 0s");
    }
  }
}
