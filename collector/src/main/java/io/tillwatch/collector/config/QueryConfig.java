package io.tillwatch.collector.config;

import io.tillwatch.promql.QueryLimits;
import java.time.Duration;

/**
 * The query API's limits ({@code collector.query}), with Prometheus's names and defaults.
 *
 * @param timeout how long a query may run ({@code query.timeout}); past it: 503 {@code timeout}
 * @param maxSamples samples one query may hold at once ({@code query.max-samples}); past it: 422
 *     {@code execution}
 * @param maxConcurrency queries evaluated at once, on threads of their own so that ingest and rule
 *     evaluation never wait on them ({@code query.max-concurrency}); more wait in a short queue,
 *     past it: 503
 * @param maxParallel of those, how many compute at the same time ({@code query.max_parallel};
 *     default half the processors, at least 1): the others wait their turn within their timeout, so
 *     that queries never take every core from ingest and rule evaluation
 * @param sampleCacheBytes how much memory settled stored samples may keep, compressed, for reads
 *     that come again ({@code query.sample_cache_size}, default 256 MB; 0: none)
 */
public record QueryConfig(
    Duration timeout, long maxSamples, int maxConcurrency, int maxParallel, long sampleCacheBytes) {
  /** 256 MB. */
  public static final long DEFAULT_SAMPLE_CACHE_BYTES = 256L * 1000 * 1000;

  /** Half the processors, at least one. */
  public static final int DEFAULT_MAX_PARALLEL =
      Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  /** 2 minutes, 50,000,000 samples, 20 queries at once, half the processors computing. */
  public static final QueryConfig DEFAULT =
      new QueryConfig(QueryLimits.DEFAULT.timeout(), QueryLimits.DEFAULT.maxSamples(), 20);

  public QueryConfig {
    limits(timeout, maxSamples); // validates
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("max_concurrency must be at least 1");
    }
    if (maxParallel < 1) {
      throw new IllegalArgumentException("max_parallel must be at least 1");
    }
    if (sampleCacheBytes < 0) {
      throw new IllegalArgumentException("sample_cache_size must not be negative");
    }
  }

  /** As above, with the default sample cache. */
  public QueryConfig(Duration timeout, long maxSamples, int maxConcurrency, int maxParallel) {
    this(timeout, maxSamples, maxConcurrency, maxParallel, DEFAULT_SAMPLE_CACHE_BYTES);
  }

  /** As above, with the default {@code max_parallel}. */
  public QueryConfig(Duration timeout, long maxSamples, int maxConcurrency) {
    this(timeout, maxSamples, maxConcurrency, Math.min(maxConcurrency, DEFAULT_MAX_PARALLEL));
  }

  private static QueryLimits limits(Duration timeout, long maxSamples) {
    return new QueryLimits(maxSamples, timeout);
  }

  /** The engine's limits for one query. */
  public QueryLimits limits() {
    return limits(timeout, maxSamples);
  }
}
