package io.tillwatch.agent.config;

import io.tillwatch.model.Secret;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A PostgreSQL server, primary or standby ({@code type: postgres}).
 *
 * @param name unique target name
 * @param url {@code jdbc:postgresql://host:port/database}
 * @param user a role with {@code pg_monitor}
 * @param password the role's password
 * @param heartbeat on a primary: write a heartbeat row each scrape for true replay delay
 * @param interval optional per-target scrape interval
 * @param primary optional name of this standby's primary target (found from the WAL receiver
 *     otherwise)
 */
public record PostgresTargetConfig(
    String name,
    String url,
    String user,
    Secret password,
    boolean heartbeat,
    Optional<Duration> interval,
    Optional<String> primary)
    implements TargetConfig {
  /** The {@code type:} value. */
  public static final String TYPE = "postgres";

  public PostgresTargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(primary, "primary");
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), got '"
              + url
              + "'");
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("user is empty");
    }
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  @Override
  public String type() {
    return TYPE;
  }
}
