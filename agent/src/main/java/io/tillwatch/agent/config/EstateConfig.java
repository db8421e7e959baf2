package io.tillwatch.agent.config;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The estate file: the agent's settings and every tenant's targets.
 *
 * @param agent agent settings
 * @param tenants tenants with unique ids, whose targets have estate-wide unique names
 * @param tenantsDir a directory of tenant files (one {@code tenants:} entry each), read besides
 *     {@code tenants} and watched for changes
 */
public record EstateConfig(
    AgentConfig agent,
    List<TenantConfig> tenants,
    java.util.Optional<java.nio.file.Path> tenantsDir) {
  /** An estate of these tenants only. */
  public EstateConfig(AgentConfig agent, List<TenantConfig> tenants) {
    this(agent, tenants, java.util.Optional.empty());
  }

  /** These settings with {@code more} tenants (from the tenants directory). */
  public EstateConfig plus(List<TenantConfig> more) {
    List<TenantConfig> all = new java.util.ArrayList<>(tenants);
    all.addAll(more);
    return new EstateConfig(agent, all, tenantsDir);
  }

  public EstateConfig {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tenantsDir, "tenantsDir");
    tenants = List.copyOf(tenants);
    Set<String> ids = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (TenantConfig t : tenants) {
      if (!ids.add(t.tenant().id())) {
        throw new IllegalArgumentException("duplicate tenant id: " + t.tenant().id());
      }
      for (TargetConfig target : t.targets()) {
        if (!names.add(target.name())) {
          throw new IllegalArgumentException("duplicate target name: " + target.name());
        }
      }
    }
  }
}
