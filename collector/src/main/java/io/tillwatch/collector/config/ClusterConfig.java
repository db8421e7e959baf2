package io.tillwatch.collector.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code collector.cluster}: this collector is one of several replicas on one PostgreSQL. All of
 * them ingest; rule, SLO and report work is split by tenant through leases on tenant shards.
 *
 * @param replica this replica's name, unique among the replicas (default: host name and port)
 * @param address where others and people reach it, as {@code /api/v1/status/cluster} shows it
 * @param shards how many shards tenants are hashed into (more shards: finer balance); every replica
 *     must have the same number
 * @param leaseTtl how long a lease holds without renewal; empty: half the evaluation interval (a
 *     dead replica's tenants are taken over within two thirds of an evaluation interval, evaluated
 *     within two)
 */
public record ClusterConfig(
    String replica, String address, int shards, Optional<Duration> leaseTtl) {
  public static final int DEFAULT_SHARDS = 64;

  public ClusterConfig {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    if (replica.isBlank()) {
      throw new IllegalArgumentException("replica must not be empty");
    }
    if (shards < 1 || shards > 4096) {
      throw new IllegalArgumentException("shards must be 1 to 4096");
    }
    if (leaseTtl.isPresent() && leaseTtl.get().toMillis() < 300) {
      throw new IllegalArgumentException("lease_ttl must be at least 300ms");
    }
  }

  /** The lease's time to live for rules evaluated every {@code interval}. */
  public Duration leaseTtl(Duration interval) {
    return leaseTtl.orElse(interval.dividedBy(2));
  }
}
