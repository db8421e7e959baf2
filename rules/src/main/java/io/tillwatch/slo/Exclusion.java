package io.tillwatch.slo;

import io.tillwatch.calendar.Interval;
import java.util.Set;

/**
 * A period taken out of SLOs (planned maintenance): its events or time slices count neither as good
 * nor at all.
 *
 * @param tenants the tenants it applies to; empty for every tenant
 */
public record Exclusion(Set<String> tenants, Interval period, String reason) {
  public Exclusion {
    tenants = Set.copyOf(tenants);
  }

  public boolean appliesTo(String tenant) {
    return tenants.isEmpty() || tenants.contains(tenant);
  }
}
