package io.tillwatch.agent.internal;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.backup.BackupCollector;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.agent.odoo.OdooCollector;
import io.tillwatch.agent.postgres.PostgresCollector;
import io.tillwatch.agent.postgres.ReplicationTopology;
import io.tillwatch.agent.redis.RedisCollector;
import io.tillwatch.agent.traefik.TraefikCollector;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/** Builds the collector of each target type; shared state lives here, one per agent. */
public final class CollectorFactory {
  private final Duration timeout;
  private final Executor blocking;
  private final Clock clock;
  private final ReplicationTopology topology = new ReplicationTopology();

  /**
   * @param timeout the agent's scrape timeout (drivers' own timeouts are set just above it)
   * @param blocking where collectors run blocking I/O (virtual threads)
   */
  public CollectorFactory(Duration timeout, Executor blocking, Clock clock) {
    this.timeout = timeout;
    this.blocking = blocking;
    this.clock = clock;
  }

  /** A new collector for {@code target}; it does no I/O until scraped. */
  public Collector create(TargetConfig target) {
    return switch (target) {
      case PostgresTargetConfig pg -> new PostgresCollector(pg, timeout, topology, blocking, clock);
      case RedisTargetConfig redis -> new RedisCollector(redis, timeout, blocking);
      case BackupTargetConfig backup -> new BackupCollector(backup, timeout, blocking, clock);
      case OdooTargetConfig odoo -> new OdooCollector(odoo, timeout, blocking);
      case TraefikTargetConfig traefik -> new TraefikCollector(traefik, timeout, blocking);
    };
  }
}
