package io.tillwatch.collector.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain PostgreSQL: {@code samples} is range-partitioned by UTC day ({@code samples_pYYYYMMDD});
 * partitions are created two days ahead and on demand for older data. A day that has passed is
 * sealed: compaction moves its samples into chunks and drops it; a day past retention is dropped as
 * it is.
 */
public final class PlainLayout implements SampleLayout {
  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final int DAYS_AHEAD = 2;
  private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();

  @Override
  public String name() {
    return "plain";
  }

  @Override
  public void create(Connection c, Duration retention) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE samples ("
              + " time timestamptz NOT NULL,"
              + " series_id bigint NOT NULL,"
              + " value double precision NOT NULL"
              + ") PARTITION BY RANGE (time)");
      s.execute("CREATE INDEX samples_series_time ON samples (series_id, time)");
    }
  }

  @Override
  public void prepareDays(Connection c, Set<LocalDate> days) throws SQLException {
    if (known.isEmpty()) {
      loadKnown(c);
    }
    for (LocalDate day : days) {
      if (!known.contains(day)) {
        createPartition(c, day);
      }
    }
  }

  @Override
  public int maintain(Connection c, Instant now, Duration retention) throws SQLException {
    loadKnown(c);
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    for (int d = -1; d <= DAYS_AHEAD; d++) {
      if (!known.contains(today.plusDays(d))) {
        createPartition(c, today.plusDays(d));
      }
    }
    // a day is dropped once all of it is older than the retention
    LocalDate oldestKept = LocalDate.ofInstant(now.minus(retention), ZoneOffset.UTC);
    int dropped = 0;
    for (LocalDate day : Set.copyOf(known)) {
      if (day.isBefore(oldestKept)) {
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE IF EXISTS " + partition(day));
        }
        known.remove(day);
        dropped++;
      }
    }
    return dropped;
  }

  @Override
  public List<Sealed> sealed(Connection c, Instant before) throws SQLException {
    loadKnown(c);
    List<Sealed> out = new ArrayList<>();
    for (LocalDate day : new TreeSet<>(known)) {
      Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      if (!end.isAfter(before)) {
        out.add(new Sealed(partition(day), day.atStartOfDay(ZoneOffset.UTC).toInstant(), end));
      }
    }
    return out;
  }

  @Override
  public java.util.Optional<Sealed> open(Connection c, Instant at) throws SQLException {
    loadKnown(c);
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    if (!known.contains(day)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new Sealed(
            partition(day),
            day.atStartOfDay(ZoneOffset.UTC).toInstant(),
            day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
  }

  @Override
  public void drop(Connection c, Sealed stretch) throws SQLException {
    LocalDate day = LocalDate.ofInstant(stretch.from(), ZoneOffset.UTC);
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + partition(day));
    }
    known.remove(day); // written again, it is created again (CREATE … IF NOT EXISTS)
  }

  @Override
  public void forget() {
    known.clear();
  }

  private void loadKnown(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT child.relname FROM pg_inherits"
                    + " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
                    + " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
                    + " WHERE parent.relname = 'samples'");
        ResultSet rs = ps.executeQuery()) {
      known.clear();
      while (rs.next()) {
        String name = rs.getString(1);
        if (name.startsWith("samples_p") && name.length() == 17) {
          known.add(LocalDate.parse(name.substring(9), SUFFIX));
        }
      }
    }
  }

  private void createPartition(Connection c, LocalDate day) throws SQLException {
    // names and bounds come from a LocalDate, never from input: safe to put in DDL
    String sql =
        "CREATE TABLE IF NOT EXISTS "
            + partition(day)
            + " PARTITION OF samples FOR VALUES FROM ('"
            + day
            + " 00:00:00+00') TO ('"
            + day.plusDays(1)
            + " 00:00:00+00')";
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    known.add(day);
  }

  private static String partition(LocalDate day) {
    return "samples_p" + SUFFIX.format(day);
  }
}
