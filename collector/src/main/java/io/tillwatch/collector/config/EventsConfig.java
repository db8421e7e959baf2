package io.tillwatch.collector.config;

import java.util.Set;

/**
 * What events do beyond being recorded ({@code collector.events}).
 *
 * @param maintenanceExcludesSlos the tenants ({@code "*"}: every tenant) whose {@code maintenance}
 *     events with a duration take their period out of the tenant's SLOs, as an exclusion of an SLO
 *     file does; other tenants' maintenance events are recorded and shown only
 * @param releaseGuard how releases (deploy events) are judged
 */
public record EventsConfig(Set<String> maintenanceExcludesSlos, ReleaseGuardConfig releaseGuard) {
  /** Maintenance events exclude nothing; releases are judged with the guard's defaults. */
  public static final EventsConfig DEFAULT = new EventsConfig(Set.of(), ReleaseGuardConfig.DEFAULT);

  public EventsConfig {
    maintenanceExcludesSlos = Set.copyOf(maintenanceExcludesSlos);
    java.util.Objects.requireNonNull(releaseGuard, "releaseGuard");
  }

  /** These settings, maintenance of {@code tenants} excluded from SLOs. */
  public EventsConfig(Set<String> maintenanceExcludesSlos) {
    this(maintenanceExcludesSlos, ReleaseGuardConfig.DEFAULT);
  }

  /** Whether a maintenance event of {@code tenant} opens an SLO exclusion. */
  public boolean maintenanceExcludes(String tenant) {
    return maintenanceExcludesSlos.contains(TokenGrant.ANY_TENANT)
        || maintenanceExcludesSlos.contains(tenant);
  }
}
