package io.tillwatch.collector;

import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RuleGroup;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Collectors on a test PostgreSQL, with a platform token and a token of tenant acme. */
final class TestCollectors {
  static final String PLATFORM = "platform-token-0123456789";
  static final String ACME = "acme-token-0123456789";

  private TestCollectors() {}

  static CollectorConfig config(PostgresServer pg, String db, int maxQueued) {
    return new CollectorConfig(
        new HostPort("127.0.0.1", 0),
        new StorageConfig(
            Optional.of(pg.jdbcUrl(db)),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            StorageConfig.DEFAULT_RETENTION,
            Path.of("unused")),
        Duration.ofHours(3),
        List.of(
            new TokenGrant(Secret.of(PLATFORM), Set.of("*")),
            new TokenGrant(Secret.of(ACME), Set.of("acme"))),
        maxQueued);
  }

  /** {@link #config} with its rules' interval, alerting and query limits. */
  static CollectorConfig config(
      PostgresServer pg,
      String db,
      Duration evaluationInterval,
      AlertingConfig alerting,
      QueryConfig query) {
    CollectorConfig base = config(pg, db, 1_000_000);
    return new CollectorConfig(
        base.listen(),
        base.storage(),
        base.head(),
        base.tokens(),
        base.maxQueuedSamples(),
        List.of(),
        false,
        evaluationInterval,
        alerting,
        query);
  }

  /** A backend on {@code config}'s storage with these rule groups and tenants. */
  static Backend start(CollectorConfig config, List<RuleGroup> groups, Map<String, Tenant> tenants)
      throws SQLException {
    return Backend.start(
        config,
        config.storage().url().orElseThrow(),
        config.storage().user(),
        config.storage().password(),
        groups,
        tenants);
  }

  static Backend start(PostgresServer pg, String db) throws SQLException {
    return start(pg, db, CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES);
  }

  static Backend start(PostgresServer pg, String db, int maxQueued) throws SQLException {
    CollectorConfig c = config(pg, db, maxQueued);
    return Backend.start(
        c, c.storage().url().orElseThrow(), c.storage().user(), c.storage().password());
  }

  /** A single number from SQL with parameters. */
  static long count(PostgresServer pg, String db, String sql, Object... params) {
    try (Connection c = pg.connect(db);
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
