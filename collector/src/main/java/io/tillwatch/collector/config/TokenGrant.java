package io.tillwatch.collector.config;

import io.tillwatch.model.Secret;
import io.tillwatch.promql.QueryLimits;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A bearer token and the tenants it may write and read; {@code *} is every tenant.
 *
 * @param token the token
 * @param tenants tenant ids, or {@code *}
 * @param queryLimits this token's own query timeout and sample limit; empty: the collector's
 */
public record TokenGrant(Secret token, Set<String> tenants, Optional<QueryLimits> queryLimits) {
  public static final String ANY_TENANT = "*";

  /** A token with the collector's query limits. */
  public TokenGrant(Secret token, Set<String> tenants) {
    this(token, tenants, Optional.empty());
  }

  public TokenGrant {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(queryLimits, "queryLimits");
    tenants = Set.copyOf(tenants);
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token is empty");
    }
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException("tenants is empty: name tenants or \"*\"");
    }
  }

  /** Whether this token may write and read {@code tenant}. */
  public boolean allows(String tenant) {
    return tenants.contains(ANY_TENANT) || tenants.contains(tenant);
  }

  /** Whether this token may see every tenant. */
  public boolean allowsAll() {
    return tenants.contains(ANY_TENANT);
  }
}
