package io.tillwatch.agent.config;

import io.tillwatch.model.Secret;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's Odoo database ({@code type: odoo}), read with plain, read-only SQL.
 *
 * @param name unique target name
 * @param url {@code jdbc:postgresql://host:port/odoo_db}
 * @param user a role that may SELECT from queue_job, sale_order, pos_order, ir_module_module
 * @param password the role's password
 * @param stuckStartedAfter a job in state started for longer counts as stuck (default 30 min)
 * @param interval optional per-target scrape interval
 * @param stores per-store point-of-sale signals ({@code stores: true}), or none
 */
public record OdooTargetConfig(
    String name,
    String url,
    String user,
    Secret password,
    Duration stuckStartedAfter,
    Optional<Duration> interval,
    Optional<PosStoresConfig> stores)
    implements TargetConfig {
  /** The {@code type:} value. */
  public static final String TYPE = "odoo";

  /** Default for {@link #stuckStartedAfter()}. */
  public static final Duration DEFAULT_STUCK_STARTED_AFTER = Duration.ofMinutes(30);

  /** Without per-store signals. */
  public OdooTargetConfig(
      String name,
      String url,
      String user,
      Secret password,
      Duration stuckStartedAfter,
      Optional<Duration> interval) {
    this(name, url, user, password, stuckStartedAfter, interval, Optional.empty());
  }

  /** These settings with per-store signals. */
  public OdooTargetConfig withStores(PosStoresConfig s) {
    return new OdooTargetConfig(
        name, url, user, password, stuckStartedAfter, interval, Optional.of(s));
  }

  public OdooTargetConfig {
    Objects.requireNonNull(stores, "stores");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(interval, "interval");
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("url must be a PostgreSQL JDBC URL, got '" + url + "'");
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user is empty");
    }
    AgentConfig.requirePositive(stuckStartedAfter, "stuck_started_after");
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  @Override
  public String type() {
    return TYPE;
  }
}
