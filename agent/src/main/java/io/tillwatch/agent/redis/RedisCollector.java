package io.tillwatch.agent.redis;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Redis memory, evictions, persistence and role from one {@code INFO} per scrape, over one kept
 * connection (reopened after a failure), on the blocking executor.
 */
public final class RedisCollector implements Collector {
  private final RedisTargetConfig target;
  private final Duration timeout;
  private final Executor blocking;
  private Jedis jedis; // used by the single scrape in flight only

  public RedisCollector(RedisTargetConfig target, Duration timeout, Executor blocking) {
    this.target = target;
    this.timeout = timeout;
    this.blocking = blocking;
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Future<List<Sample>> collect() {
    return Blocking.run(
        blocking,
        () -> {
          try {
            return RedisInfo.samples(connection().info());
          } catch (RuntimeException e) {
            close(); // reconnect on the next scrape
            throw e;
          }
        });
  }

  private Jedis connection() {
    if (jedis != null && jedis.isConnected() && !jedis.isBroken()) {
      return jedis;
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 1000);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis)
            .clientName("tillwatch-agent")
            .autoNegotiateProtocol(false) // INFO reads the same over RESP2, on every Redis
            .ssl("rediss".equals(target.url().getScheme()));
    target.user().ifPresent(config::user);
    if (!target.password().isEmpty()) {
      config.password(target.password().reveal());
    }
    int port = target.url().getPort() > 0 ? target.url().getPort() : 6379;
    jedis = new Jedis(new HostAndPort(target.url().getHost(), port), config.build());
    jedis.connect();
    return jedis;
  }

  @Override
  public void close() {
    Jedis j = jedis;
    jedis = null;
    if (j != null) {
      try {
        j.close();
      } catch (RuntimeException e) {
        // throwing the connection away
      }
    }
  }
}
