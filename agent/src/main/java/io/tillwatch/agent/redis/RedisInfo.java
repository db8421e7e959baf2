package io.tillwatch.agent.redis;

import static io.tillwatch.agent.redis.RedisMetrics.*;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pure parsing of Redis's {@code INFO} text into samples. */
public final class RedisInfo {
  private RedisInfo() {}

  /** {@code key:value} pairs of an INFO reply; section headers and blank lines are skipped. */
  public static Map<String, String> parse(String info) {
    Map<String, String> out = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** The samples of an INFO reply. */
  public static List<Sample> samples(String info) {
    Map<String, String> v = parse(info);
    List<Sample> out = new ArrayList<>();
    double used = number(v, "used_memory");
    double max = number(v, "maxmemory");
    add(out, MEMORY_USED, used);
    add(out, MEMORY_MAX, max);
    if (max > 0 && !Double.isNaN(used)) { // no limit: no ratio, never +Inf
      add(out, MEMORY_USED_RATIO, used / max);
    }
    add(out, MEMORY_RSS, number(v, "used_memory_rss"));
    add(out, MEMORY_PEAK, number(v, "used_memory_peak"));
    add(out, MEMORY_DATASET, number(v, "used_memory_dataset"));
    add(out, FRAGMENTATION, number(v, "mem_fragmentation_ratio"));
    add(out, EVICTED, number(v, "evicted_keys"));
    add(out, EXPIRED, number(v, "expired_keys"));
    add(out, HITS, number(v, "keyspace_hits"));
    add(out, MISSES, number(v, "keyspace_misses"));
    add(out, CLIENTS, number(v, "connected_clients"));
    add(out, UPTIME, number(v, "uptime_in_seconds"));
    add(out, LAST_SAVE, number(v, "rdb_last_save_time"));
    String bgsave = v.get("rdb_last_bgsave_status");
    if (bgsave != null) {
      out.add(BGSAVE_OK.sample(Labels.empty(), "ok".equals(bgsave) ? 1 : 0));
    }
    if (v.get("maxmemory_policy") != null) {
      out.add(POLICY.sample(Labels.of("policy", v.get("maxmemory_policy")), 1));
    }
    if (v.get("role") != null) {
      out.add(ROLE.sample(Labels.of("role", v.get("role")), 1));
    }
    return out;
  }

  private static void add(List<Sample> out, Metric metric, double value) {
    if (!Double.isNaN(value)) {
      out.add(metric.sample(Labels.empty(), value));
    }
  }

  private static double number(Map<String, String> v, String key) {
    String s = v.get(key);
    if (s == null) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
