package io.tillwatch.collector.config;

import java.util.Set;

/**
 * What events do beyond being recorded ({@code collector.events}).
 *
 * @param maintenanceExcludesSlos the tenants ({@code "*"}: every tenant) whose {@code maintenance}
 *     events with a duration take their period out of the tenant's SLOs, as an exclusion of an SLO
 *     file does; other tenants' maintenance events are recorded and shown only
 */
public record EventsConfig(Set<String> maintenanceExcludesSlos) {
  /** Maintenance events exclude nothing. */
  public static final EventsConfig DEFAULT = new EventsConfig(Set.of());

  public EventsConfig {
    maintenanceExcludesSlos = Set.copyOf(maintenanceExcludesSlos);
  }

  /** Whether a maintenance event of {@code tenant} opens an SLO exclusion. */
  public boolean maintenanceExcludes(String tenant) {
    return maintenanceExcludesSlos.contains(TokenGrant.ANY_TENANT)
        || maintenanceExcludesSlos.contains(tenant);
  }
}
