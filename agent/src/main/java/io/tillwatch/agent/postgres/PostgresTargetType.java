package io.tillwatch.agent.postgres;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.TargetEntry;
import io.tillwatch.config.YamlNode;
import java.util.Optional;
import java.util.Set;

/** {@code type: postgres}: replication of a primary or a standby. */
public final class PostgresTargetType implements TargetType<PostgresTargetConfig> {
  @Override
  public String name() {
    return PostgresTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of("url", "user", "password", "heartbeat", "primary");
  }

  @Override
  public Class<PostgresTargetConfig> configType() {
    return PostgresTargetConfig.class;
  }

  @Override
  public PostgresTargetConfig read(TargetEntry e) {
    Optional<YamlNode> primary = e.optional("primary");
    primary.ifPresent(e::referencesTarget);
    return new PostgresTargetConfig(
        e.name(),
        e.jdbcUrl("url"),
        e.required("user").string(),
        e.password(),
        e.optional("heartbeat").map(YamlNode::bool).orElse(false),
        e.interval(),
        primary.map(YamlNode::string));
  }

  @Override
  public Collector create(PostgresTargetConfig config, CollectorContext c) {
    return new PostgresCollector(
        config,
        c.timeout(),
        c.shared(ReplicationTopology.class, ReplicationTopology::new),
        c.blocking(),
        c.clock());
  }
}
