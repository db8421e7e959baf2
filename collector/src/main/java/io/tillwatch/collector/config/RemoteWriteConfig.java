package io.tillwatch.collector.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code collector.remote_write} endpoint: everything the collector stores (ingested samples,
 * recording-rule and SLO results) forwarded with Prometheus remote-write 1.0.
 *
 * @param url where to send; may hold {@code {account}}, replaced by the tenant's account from
 *     {@code tenantAccounts} (VictoriaMetrics cluster: {@code
 *     /insert/{account}/prometheus/api/v1/write})
 * @param name how metrics and logs call it ({@code remote} label); default the URL's host:port
 * @param tenantHeader when set, each request holds one tenant's samples and names it in this header
 *     ({@code X-Scope-OrgID} for Mimir and Cortex)
 * @param tenantAccounts tenant → account for {@code {account}}; a tenant without one is not sent
 *     (counted as failed)
 * @param headers more headers on every request (e.g. {@code Authorization}); values may come from
 *     {@code ${ENV}} or {@code file:}
 * @param timeout one request's time limit
 * @param shards parallel senders; a series always goes through the same one (its order kept)
 * @param maxSamplesPerSend samples in one request at most
 * @param capacityBytes the on-disk queue's bound; past it the oldest queued samples are dropped
 * @param dir where the queue lives (survives restarts)
 */
public record RemoteWriteConfig(
    URI url,
    String name,
    Optional<String> tenantHeader,
    Map<String, String> tenantAccounts,
    Map<String, String> headers,
    Duration timeout,
    int shards,
    int maxSamplesPerSend,
    long capacityBytes,
    Path dir) {
  /** {@code {account}} as it stands in a URI. */
  public static final String ACCOUNT_PLACEHOLDER = "%7Baccount%7D";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_SHARDS = 2;
  public static final int DEFAULT_MAX_SAMPLES_PER_SEND = 2000;
  public static final long DEFAULT_CAPACITY_BYTES = 512L * 1000 * 1000;

  public RemoteWriteConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(name, "name");
    tenantAccounts = Map.copyOf(tenantAccounts);
    headers = Map.copyOf(headers);
    if (!url.getScheme().equals("http") && !url.getScheme().equals("https")) {
      throw new IllegalArgumentException("url must be http:// or https://");
    }
    if (url.toString().contains(ACCOUNT_PLACEHOLDER) && tenantAccounts.isEmpty()) {
      throw new IllegalArgumentException("url holds {account}: tenant_accounts must map tenants");
    }
    if (shards < 1 || shards > 64) {
      throw new IllegalArgumentException("shards must be 1 to 64");
    }
    if (maxSamplesPerSend < 1) {
      throw new IllegalArgumentException("max_samples_per_send must be at least 1");
    }
    if (capacityBytes < 1 << 20) {
      throw new IllegalArgumentException("capacity must be at least 1MB");
    }
  }

  /** What an endpoint is called when its entry gives no name: the URL's host and port. */
  public static String defaultName(URI url) {
    int port = url.getPort() >= 0 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80;
    return url.getHost() + ":" + port;
  }

  /** An endpoint with the defaults, its queue under {@code dataDir}. */
  public static RemoteWriteConfig of(URI url, Path dataDir) {
    String name = defaultName(url);
    return new RemoteWriteConfig(
        url,
        name,
        Optional.empty(),
        Map.of(),
        Map.of(),
        DEFAULT_TIMEOUT,
        DEFAULT_SHARDS,
        DEFAULT_MAX_SAMPLES_PER_SEND,
        DEFAULT_CAPACITY_BYTES,
        dataDir.resolve("remote-write").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_")));
  }

  /** The same endpoint with a tenant header. */
  public RemoteWriteConfig withTenantHeader(String header) {
    return new RemoteWriteConfig(
        url,
        name,
        Optional.of(header),
        tenantAccounts,
        headers,
        timeout,
        shards,
        maxSamplesPerSend,
        capacityBytes,
        dir);
  }

  /** The same endpoint with {@code accounts} for {@code {account}}. */
  public RemoteWriteConfig withTenantAccounts(Map<String, String> accounts) {
    return new RemoteWriteConfig(
        url,
        name,
        tenantHeader,
        accounts,
        headers,
        timeout,
        shards,
        maxSamplesPerSend,
        capacityBytes,
        dir);
  }

  /** The same endpoint with {@code n} samples per request at most. */
  public RemoteWriteConfig withMaxSamplesPerSend(int n) {
    return new RemoteWriteConfig(
        url, name, tenantHeader, tenantAccounts, headers, timeout, shards, n, capacityBytes, dir);
  }
}
