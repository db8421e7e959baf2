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

  /**
   * A stretch of raw samples that takes no more writes in the normal course: a day partition
   * (plain) or a hypertable chunk (TimescaleDB). Its samples can move into compressed chunks.
   *
   * @param relation the table, safe to put in SQL (made from a date, or quoted by the server)
   */
  record Sealed(String relation, Instant from, Instant to) {}

  /** The stretches that end at or before {@code before}, oldest first. */
  java.util.List<Sealed> sealed(Connection c, Instant before) throws SQLException;

  /**
   * The stretch that holds {@code at} and still takes writes (plain: that day's partition, when it
   * exists), whose older rows may move into chunks before the day ends; TimescaleDB: none (its own
   * compression policy does that).
   */
  default java.util.Optional<Sealed> open(Connection c, Instant at) throws SQLException {
    return java.util.Optional.empty();
  }

  /** Drops a stretch whose samples are now in chunks, in the caller's transaction. */
  void drop(Connection c, Sealed stretch) throws SQLException;

  /** Forgets which partitions exist (after a failed write: they may have changed meanwhile). */
  void forget();
}
