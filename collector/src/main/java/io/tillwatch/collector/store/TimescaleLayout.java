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
 * TimescaleDB: {@code samples} is a hypertable of one-day chunks; a chunk that has passed is
 * sealed, and compaction moves its samples into tillwatch's own chunks and drops it (TimescaleDB's
 * compression, after two days, covers what compaction has not reached yet) (segmented by series,
 * ordered by time) and dropped past retention by TimescaleDB's own policies. Chosen automatically
 * when the database offers the {@code timescaledb} extension.
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

  @Override
  public java.util.List<Sealed> sealed(Connection c, Instant before) throws SQLException {
    java.util.List<Sealed> out = new java.util.ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT format('%I.%I', chunk_schema, chunk_name), range_start, range_end"
                + " FROM timescaledb_information.chunks"
                + " WHERE hypertable_name = 'samples' AND range_end <= ?"
                + " ORDER BY range_start")) {
      ps.setObject(1, before.atOffset(java.time.ZoneOffset.UTC));
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Sealed(
                  rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant()));
        }
      }
    }
    return out;
  }

  @Override
  public void drop(Connection c, Sealed stretch) throws SQLException {
    // a chunk's name comes from the server, quoted by format('%I.%I'); TimescaleDB updates its
    // catalog when a chunk table is dropped
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + stretch.relation());
    }
  }

  @Override
  public void forget() {
    // nothing cached: chunks are created on insert
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
