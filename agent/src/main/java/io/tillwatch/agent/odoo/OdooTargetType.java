package io.tillwatch.agent.odoo;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.TargetEntry;
import java.util.Set;

/** {@code type: odoo}: order intake and queue jobs from Odoo's database. */
public final class OdooTargetType implements TargetType<OdooTargetConfig> {
  @Override
  public String name() {
    return OdooTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of("url", "user", "password", "stuck_started_after");
  }

  @Override
  public Class<OdooTargetConfig> configType() {
    return OdooTargetConfig.class;
  }

  @Override
  public OdooTargetConfig read(TargetEntry e) {
    return new OdooTargetConfig(
        e.name(),
        e.jdbcUrl("url"),
        e.required("user").string(),
        e.password(),
        e.optional("stuck_started_after")
            .map(TargetEntry::positive)
            .orElse(OdooTargetConfig.DEFAULT_STUCK_STARTED_AFTER),
        e.interval());
  }

  @Override
  public Collector create(OdooTargetConfig config, CollectorContext c) {
    return new OdooCollector(config, c.timeout(), c.blocking());
  }
}
