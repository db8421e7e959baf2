package io.tillwatch.collector.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;

/**
 * TimescaleDB: {@code samples} is a hypertable of one-day chunks, compressed after two days
 * (segmented by series, ordered by time) and dropped past retention by TimescaleDB's own policies.
 * Chosen automatically when the database offers the {@code timescaledb} extension.
 */
public final class TimescaleLayout implements SampleLayout {
  @Override
  public String name() {
    return "timescaledb";
  }

  @Override
  public void create(Connection c, Duration retention) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
      s.execute(
          "CREATE TABLE samples ("
              + " time timestamptz NOT NULL,"
              + " series_id bigint NOT NULL,"
              + " value double precision NOT NULL)");
      s.execute(
          "SELECT create_hypertable('samples', by_range('time', INTERVAL '1 day'),"
              + " create_default_indexes => false)");
      s.execute("CREATE INDEX samples_series_time ON samples (series_id, time)");
      s.execute(
          "ALTER TABLE samples SET (timescaledb.compress,"
              + " timescaledb.compress_segmentby = 'series_id',"
              + " timescaledb.compress_orderby = 'time')");
      s.execute("SELECT add_compression_policy('samples', INTERVAL '2 days')");
    }
    retentionPolicy(c, retention);
  }

  @Override
  public void prepareDays(Connection c, Set<LocalDate> days) {
    // chunks are created on insert
  }

  @Override
  public int maintain(Connection c, Instant now, Duration retention) throws SQLException {
    retentionPolicy(c, retention); // follows a changed retention setting
    return 0;
  }

  private static void retentionPolicy(Connection c, Duration retention) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT remove_retention_policy('samples', if_exists => true)");
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT add_retention_policy('samples', make_interval(secs => ?))")) {
      ps.setDouble(1, retention.toSeconds());
      ps.execute();
    }
  }
}
