package io.tillwatch.agent.redis;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.RedisExtension;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** A real redis-server filled past maxmemory, one without a limit, and one with a password. */
class RedisCollectorIT {
  @RegisterExtension
  static final RedisExtension LIMITED =
      new RedisExtension("maxmemory 2mb", "maxmemory-policy allkeys-lru");

  @RegisterExtension static final RedisExtension UNLIMITED = new RedisExtension();

  @RegisterExtension
  static final RedisExtension PROTECTED = new RedisExtension("requirepass s3cret");

  private Agent agent;

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  private static RedisTargetConfig redis(String name, String url, String password) {
    return new RedisTargetConfig(
        name, URI.create(url), Optional.empty(), Secret.of(password), Optional.empty());
  }

  @Test
  @Timeout(60)
  void evictionsPastTheLimitAndTheRatioOnlyWhereThereIsOne() {
    try (Jedis fill = new Jedis(URI.create(LIMITED.server().url()))) {
      String value = "x".repeat(4096);
      for (int i = 0; i < 2000; i++) { // ~8 MB into a 2 MB limit
        fill.set("session:" + i, value);
      }
    }
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                redis("sessions", LIMITED.server().url(), ""),
                redis("cache", UNLIMITED.server().url(), ""),
                redis("locked", PROTECTED.server().url(), "wrong"),
                redis("locked-ok", PROTECTED.server().url(), "s3cret")));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "sessions"))
                  .isEqualTo(1);
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "cache")).isEqualTo(1);
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "locked-ok"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_target_last_error_info",
                          "target",
                          "locked",
                          "reason",
                          "auth"))
                  .isEqualTo(1);
            });
    List<Sample> s = agent.samples();
    double evicted = valueOrNaN(agent, "tillwatch_redis_evicted_keys_total", "target", "sessions");
    double used = valueOrNaN(agent, "tillwatch_redis_memory_used_bytes", "target", "sessions");
    double max = valueOrNaN(agent, "tillwatch_redis_memory_max_bytes", "target", "sessions");
    double ratio = valueOrNaN(agent, "tillwatch_redis_memory_used_ratio", "target", "sessions");
    try (Jedis check = new Jedis(URI.create(LIMITED.server().url()))) {
      long evictedNow = Long.parseLong(RedisInfo.parse(check.info("stats")).get("evicted_keys"));
      assertThat(evicted).isGreaterThan(1000).isLessThanOrEqualTo(evictedNow);
      assertThat(Long.parseLong(RedisInfo.parse(check.info("memory")).get("maxmemory")))
          .isEqualTo((long) max);
    }
    assertThat(max).isEqualTo(2 * 1024 * 1024);
    assertThat(ratio).isEqualTo(used / max).isBetween(0.5, 1.1);
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_redis_maxmemory_policy_info",
                "target",
                "sessions",
                "policy",
                "allkeys-lru"))
        .isEqualTo(1);

    assertThat(valueOrNaN(agent, "tillwatch_redis_memory_max_bytes", "target", "cache")).isZero();
    assertThat(
            s.stream().filter(x -> x.metric().name().equals("tillwatch_redis_memory_used_ratio")))
        .extracting(x -> x.labels().get("target"))
        .containsOnly("sessions");
    assertThat(valueOrNaN(agent, "tillwatch_redis_evicted_keys_total", "target", "cache")).isZero();
    assertThat(valueOrNaN(agent, "tillwatch_redis_role_info", "target", "cache", "role", "master"))
        .isEqualTo(1);
  }
}
