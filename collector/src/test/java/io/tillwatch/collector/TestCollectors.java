package io.tillwatch.collector;

import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
