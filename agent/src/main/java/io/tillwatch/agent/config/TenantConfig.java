package io.tillwatch.agent.config;

import io.tillwatch.model.Tenant;
import java.util.List;
import java.util.Objects;

/**
 * A tenant and the targets the agent scrapes for it.
 *
 * @param tenant the tenant
 * @param targets its targets, each belonging to this tenant only
 */
public record TenantConfig(Tenant tenant, List<TargetConfig> targets) {
  public TenantConfig {
    Objects.requireNonNull(tenant, "tenant");
    targets = List.copyOf(targets);
  }
}
