package io.tillwatch.collector.store;

import io.tillwatch.model.Labels;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.util.List;

/**
 * Where stored samples are read from, as a tenant scope sees them: this collector's PostgreSQL, or
 * a Prometheus-compatible engine ({@code storage: {type: remote}}). The head covers the recent
 * window in front of either.
 */
public interface SampleStorage {
  /** The samples {@code tenants} may read. */
  SeriesSource source(TenantScope tenants);

  /**
   * The series (with {@code __name__}) a selector matches that have samples in [{@code minTime},
   * {@code maxTime}] ({@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}: unbounded), of the tenants
   * {@code tenants} may see: what the series, labels and label values endpoints list.
   */
  List<Labels> series(List<Matcher> matchers, long minTime, long maxTime, TenantScope tenants);

  /** This collector's PostgreSQL. */
  static SampleStorage of(PgStore store) {
    return new SampleStorage() {
      @Override
      public SeriesSource source(TenantScope tenants) {
        return new StorageSource(store, tenants);
      }

      @Override
      public List<Labels> series(
          List<Matcher> matchers, long minTime, long maxTime, TenantScope tenants) {
        return new StorageSource(store, tenants).series(matchers, minTime, maxTime);
      }
    };
  }
}
