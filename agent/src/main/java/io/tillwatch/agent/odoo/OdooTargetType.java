package io.tillwatch.agent.odoo;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.PosStoresConfig;
import io.tillwatch.agent.config.StoreHours;
import io.tillwatch.agent.config.TargetEntry;
import io.tillwatch.config.YamlNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code type: odoo}: order intake and queue jobs from Odoo's database. */
public final class OdooTargetType implements TargetType<OdooTargetConfig> {
  @Override
  public String name() {
    return OdooTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of(
        "url",
        "user",
        "password",
        "stuck_started_after",
        "stores",
        "max_stores",
        "store_by",
        "tills");
  }

  @Override
  public Class<OdooTargetConfig> configType() {
    return OdooTargetConfig.class;
  }

  @Override
  public OdooTargetConfig read(TargetEntry e) {
    OdooTargetConfig config = readQueues(e);
    boolean stores = e.optional("stores").map(YamlNode::bool).orElse(false);
    if (!stores) {
      for (String key : List.of("max_stores", "store_by", "tills")) {
        if (e.optional(key).isPresent()) {
          throw e.optional(key).get().error("needs stores: true");
        }
      }
      return config;
    }
    Map<String, String> tills = new LinkedHashMap<>();
    e.optional("tills").ifPresent(t -> t.entries().forEach((k, v) -> tills.put(k, v.string())));
    return config.withStores(
        new PosStoresConfig(
            e.optional("max_stores")
                .map(n -> n.convert(OdooTargetType::count))
                .orElse(PosStoresConfig.DEFAULT_MAX_STORES),
            e.optional("store_by")
                .map(n -> n.convert(PosStoresConfig.StoreBy::parse))
                .orElse(PosStoresConfig.StoreBy.WAREHOUSE),
            tills,
            StoreHours.ALWAYS));
  }

  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number, got '" + text + "'");
    }
  }

  private static OdooTargetConfig readQueues(TargetEntry e) {
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
