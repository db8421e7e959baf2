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
 */
public record EstateConfig(AgentConfig agent, List<TenantConfig> tenants) {
  public EstateConfig {
    Objects.requireNonNull(agent, "agent");
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
