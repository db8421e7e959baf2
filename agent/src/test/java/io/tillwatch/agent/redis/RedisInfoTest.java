package io.tillwatch.agent.redis;

import static io.tillwatch.agent.TestAgents.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Sample;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisInfoTest {
  private static String fixture(String name) throws Exception {
    try (InputStream in = RedisInfoTest.class.getResourceAsStream("/fixtures/redis/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void realInfoOfRedis7WithALimit() throws Exception {
    List<Sample> s = RedisInfo.samples(fixture("info-7.0-maxmemory.txt"));
    assertThat(value(s, "tillwatch_redis_memory_used_bytes")).hasValue(1389216);
    assertThat(value(s, "tillwatch_redis_memory_max_bytes")).hasValue(2097152);
    assertThat(value(s, "tillwatch_redis_memory_used_ratio")).hasValue(1389216.0 / 2097152);
    assertThat(value(s, "tillwatch_redis_evicted_keys_total")).hasValue(0);
    assertThat(value(s, "tillwatch_redis_connected_clients")).hasValue(1);
    assertThat(value(s, "tillwatch_redis_rdb_last_bgsave_ok")).hasValue(1);
    assertThat(value(s, "tillwatch_redis_maxmemory_policy_info", "policy", "allkeys-lru"))
        .hasValue(1);
    assertThat(value(s, "tillwatch_redis_role_info", "role", "master")).hasValue(1);
    assertThat(value(s, "tillwatch_redis_mem_fragmentation_ratio")).isPresent();
    assertThat(value(s, "tillwatch_redis_memory_rss_bytes")).isPresent();
  }

  @Test
  void noLimitMeansNoRatioAndAFailedSaveIsZero() {
    String info =
        "# Memory\r\nused_memory:1000\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n"
            + "# Persistence\r\nrdb_last_bgsave_status:err\r\n";
    List<Sample> s = RedisInfo.samples(info);
    assertThat(value(s, "tillwatch_redis_memory_max_bytes")).hasValue(0);
    assertThat(value(s, "tillwatch_redis_memory_used_ratio")).isEmpty();
    assertThat(value(s, "tillwatch_redis_rdb_last_bgsave_ok")).hasValue(0);
    assertThat(s).allSatisfy(x -> assertThat(x.value()).isFinite());
  }
}
