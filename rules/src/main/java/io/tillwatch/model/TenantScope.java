package io.tillwatch.model;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which tenants a reader may see: every tenant (the collector's own rules, an operator's token) or
 * a set of tenant ids (a tenant's token). Never {@code null}: "every tenant" is said out loud.
 */
public final class TenantScope {
  private static final TenantScope ALL = new TenantScope(Optional.empty());

  private final Optional<Set<String>> tenants;

  private TenantScope(Optional<Set<String>> tenants) {
    this.tenants = tenants;
  }

  /** Every tenant. */
  public static TenantScope all() {
    return ALL;
  }

  /** Only these tenants. */
  public static TenantScope of(Set<String> tenants) {
    return new TenantScope(Optional.of(Set.copyOf(tenants)));
  }

  /** True when every tenant is in scope. */
  public boolean isAll() {
    return tenants.isEmpty();
  }

  /** The tenants in scope, when it is not every tenant. */
  public Optional<Set<String>> tenants() {
    return tenants;
  }

  /** Whether a series of {@code tenant} (possibly null: no tenant label) is in scope. */
  public boolean allows(String tenant) {
    return tenants.isEmpty() || (tenant != null && tenants.get().contains(tenant));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TenantScope t && t.tenants.equals(tenants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenants);
  }

  @Override
  public String toString() {
    return tenants.map(t -> "tenants " + t).orElse("every tenant");
  }
}
