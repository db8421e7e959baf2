package io.tillwatch.agent.redis;

import io.tillwatch.model.Metric;

/** Every metric of the Redis collector. */
public final class RedisMetrics {
  private RedisMetrics() {}

  public static final Metric MEMORY_USED =
      Metric.gauge("tillwatch_redis_memory_used_bytes", "Bytes allocated by Redis (used_memory).");
  public static final Metric MEMORY_MAX =
      Metric.gauge(
          "tillwatch_redis_memory_max_bytes", "The maxmemory limit in bytes; 0 means no limit.");
  public static final Metric MEMORY_USED_RATIO =
      Metric.gauge(
          "tillwatch_redis_memory_used_ratio",
          "used_memory / maxmemory; absent when there is no limit. Near 1, Redis evicts or refuses"
              + " writes: cashiers' sessions are lost.");
  public static final Metric MEMORY_RSS =
      Metric.gauge(
          "tillwatch_redis_memory_rss_bytes",
          "Resident memory of the Redis process (used_memory_rss).");
  public static final Metric MEMORY_PEAK =
      Metric.gauge("tillwatch_redis_memory_peak_bytes", "Peak of used_memory (used_memory_peak).");
  public static final Metric MEMORY_DATASET =
      Metric.gauge(
          "tillwatch_redis_memory_dataset_bytes",
          "Bytes used by the data itself (used_memory_dataset).");
  public static final Metric FRAGMENTATION =
      Metric.gauge(
          "tillwatch_redis_mem_fragmentation_ratio",
          "RSS / used memory (mem_fragmentation_ratio); well above 1.5 wastes memory.");
  public static final Metric EVICTED =
      Metric.counter(
          "tillwatch_redis_evicted_keys_total",
          "Keys evicted because of maxmemory. For Odoo sessions: users logged out.");
  public static final Metric EXPIRED =
      Metric.counter("tillwatch_redis_expired_keys_total", "Keys removed because they expired.");
  public static final Metric HITS =
      Metric.counter("tillwatch_redis_keyspace_hits_total", "Successful key lookups.");
  public static final Metric MISSES =
      Metric.counter("tillwatch_redis_keyspace_misses_total", "Failed key lookups.");
  public static final Metric POLICY =
      Metric.info(
          "tillwatch_redis_maxmemory_policy_info",
          "The eviction policy (maxmemory_policy), e.g. noeviction or allkeys-lru.");
  public static final Metric CLIENTS =
      Metric.gauge("tillwatch_redis_connected_clients", "Client connections (connected_clients).");
  public static final Metric BGSAVE_OK =
      Metric.gauge(
          "tillwatch_redis_rdb_last_bgsave_ok",
          "1 if the last RDB background save succeeded (rdb_last_bgsave_status ok).");
  public static final Metric LAST_SAVE =
      Metric.gauge(
          "tillwatch_redis_rdb_last_save_timestamp_seconds",
          "Unix time of the last successful RDB save.");
  public static final Metric ROLE =
      Metric.info("tillwatch_redis_role_info", "The server's replication role: master or slave.");
  public static final Metric UPTIME =
      Metric.gauge("tillwatch_redis_uptime_seconds", "Seconds since the Redis server started.");
}
