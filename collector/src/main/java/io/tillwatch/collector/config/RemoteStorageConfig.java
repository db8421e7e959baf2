package io.tillwatch.collector.config;

import java.net.URI;
import java.util.Objects;

/**
 * {@code storage: {type: remote}}: samples kept by a Prometheus-compatible engine (Prometheus,
 * Grafana Mimir, Thanos, VictoriaMetrics) instead of this collector's PostgreSQL, which then holds
 * only series ids, alert state, SLO rollups and report claims.
 *
 * @param queryUrl the engine's Prometheus HTTP API base, under which {@code /api/v1/query} and
 *     {@code /api/v1/series} are found ({@code http://mimir/prometheus}, {@code
 *     http://vmselect:8481/select/{account}/prometheus}); may hold {@code {account}}
 * @param write where and how samples are written (remote write 1.0); its tenant header, tenant
 *     accounts, headers and timeout apply to queries too
 */
public record RemoteStorageConfig(URI queryUrl, RemoteWriteConfig write) {
  /** The remote-write queue's name ({@code remote} label of its metrics). */
  public static final String WRITE_NAME = "storage";

  public RemoteStorageConfig {
    Objects.requireNonNull(queryUrl, "queryUrl");
    Objects.requireNonNull(write, "write");
    if (!queryUrl.getScheme().equals("http") && !queryUrl.getScheme().equals("https")) {
      throw new IllegalArgumentException("query_url must be http:// or https://");
    }
    if (queryUrl.toString().contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER)
        && write.tenantAccounts().isEmpty()) {
      throw new IllegalArgumentException(
          "query_url holds {account}: tenant_accounts must map tenants");
    }
  }

  /** Whether each query reads one tenant (its header or account scopes it). */
  public boolean perTenant() {
    return write.tenantHeader().isPresent()
        || queryUrl.toString().contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER);
  }
}
