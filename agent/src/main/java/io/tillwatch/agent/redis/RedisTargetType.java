package io.tillwatch.agent.redis;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.agent.config.TargetEntry;
import io.tillwatch.config.YamlNode;
import java.util.Set;

/** {@code type: redis}: memory, evictions, persistence. */
public final class RedisTargetType implements TargetType<RedisTargetConfig> {
  @Override
  public String name() {
    return RedisTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of("url", "user", "password");
  }

  @Override
  public Class<RedisTargetConfig> configType() {
    return RedisTargetConfig.class;
  }

  @Override
  public RedisTargetConfig read(TargetEntry e) {
    return new RedisTargetConfig(
        e.name(),
        e.required("url").convert(s -> RedisTargetConfig.parseUrl(e.expand(s))),
        e.optional("user").map(YamlNode::string),
        e.password(),
        e.interval());
  }

  @Override
  public Collector create(RedisTargetConfig config, CollectorContext c) {
    return new RedisCollector(config, c.timeout(), c.blocking());
  }
}
