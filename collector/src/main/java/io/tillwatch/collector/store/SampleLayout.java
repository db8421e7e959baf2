package io.tillwatch.collector.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;

/**
 * How the {@code samples} table is laid out: the one place where plain PostgreSQL and TimescaleDB
 * differ. Queries are the same on both.
 */
public interface SampleLayout {
  /** {@code plain} or {@code timescaledb}. */
  String name();

  /** Creates {@code samples(time, series_id, value)} and what keeps it (first migration). */
  void create(Connection c, Duration retention) throws SQLException;

  /**
   * Makes sure rows of these UTC days can be written (plain: their daily partitions exist;
   * TimescaleDB: nothing, chunks are automatic).
   */
  void prepareDays(Connection c, Set<LocalDate> days) throws SQLException;

  /** Periodic upkeep: partitions ahead, retention; the number of days dropped. */
  int maintain(Connection c, Instant now, Duration retention) throws SQLException;
}
