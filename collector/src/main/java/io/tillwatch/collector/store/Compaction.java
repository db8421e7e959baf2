package io.tillwatch.collector.store;

import io.tillwatch.collector.chunk.XorChunk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Moves the raw samples of sealed stretches (past days) into {@code sample_chunks}: per series,
 * XOR-encoded chunks of up to {@value #MAX_CHUNK_SAMPLES} samples, about 1–2 bytes a sample instead
 * of a ~40-byte row. Each stretch moves in one transaction that locks it against writes (a late
 * write waits, then finds it gone and creates it again), writes its chunks and drops it: a reader
 * sees either the rows or the chunks, never both and never neither.
 */
public final class Compaction {
  /** The most samples a stored chunk holds. */
  public static final int MAX_CHUNK_SAMPLES = 1024;

  private static final int FETCH_ROWS = 50_000;
  private static final int INSERT_BATCH = 500;

  private Compaction() {}

  /** What a run did. */
  public record Result(int stretches, long samples, long chunks) {
    static final Result NONE = new Result(0, 0, 0);

    public Result plus(Result o) {
      return new Result(stretches + o.stretches, samples + o.samples, chunks + o.chunks);
    }
  }

  /** The slices the rows of the day still written are moved in, up to the compaction time. */
  static final Duration SLICE = Duration.ofHours(1);

  /** Compacts every stretch that ends at or before {@code before}, oldest first. */
  static Result run(Connection c, SampleLayout layout, Instant before) throws SQLException {
    Result total = Result.NONE;
    for (SampleLayout.Sealed s : layout.sealed(c, before)) {
      total = total.plus(compact(c, layout, s));
    }
    return total;
  }

  /**
   * Moves the rows of the stretch still written (today's) older than {@code before} into chunks, a
   * slice of {@link #SLICE} at a time from {@code from}; where it got to. Without a lock: each
   * slice is read in time order and deleted in one repeatable-read transaction, so the delete
   * removes exactly the rows the read saw; a row written meanwhile stays a row (readers merge rows
   * and chunks, a timestamp counted once).
   */
  static Open runOpen(Connection c, SampleLayout layout, Instant from, Instant before)
      throws SQLException {
    java.util.Optional<SampleLayout.Sealed> open = layout.open(c, before);
    if (open.isEmpty()) {
      return new Open(from, Result.NONE);
    }
    SampleLayout.Sealed day = open.get();
    long slice = SLICE.toMillis();
    long start = Math.max(day.from().toEpochMilli(), from.toEpochMilli()) / slice * slice;
    long cutoff = before.toEpochMilli() / slice * slice;
    Result done = Result.NONE;
    for (long a = start; a + slice <= cutoff; a += slice) {
      done =
          done.plus(
              compactSlice(
                  c, day.relation(), Instant.ofEpochMilli(a), Instant.ofEpochMilli(a + slice)));
    }
    return new Open(Instant.ofEpochMilli(Math.max(start, cutoff)), done);
  }

  /** Where the day still written is compacted up to, and what this run moved. */
  record Open(Instant through, Result result) {}

  private static Result compactSlice(Connection c, String relation, Instant from, Instant to)
      throws SQLException {
    boolean auto = c.getAutoCommit();
    int isolation = c.getTransactionIsolation();
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      Encoder encoder = new Encoder(c);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT series_id, date_part('epoch', time), "
                  + PgStore.VALUE_BITS
                  + " FROM "
                  + relation
                  + " WHERE time >= ? AND time < ? ORDER BY series_id, time")) {
        ps.setObject(1, from.atOffset(ZoneOffset.UTC));
        ps.setObject(2, to.atOffset(ZoneOffset.UTC));
        ps.setFetchSize(FETCH_ROWS);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            encoder.add(rs.getLong(1), Math.round(rs.getDouble(2) * 1000), PgStore.value(rs, 3));
          }
        }
      }
      encoder.finish();
      if (encoder.samples > 0) {
        try (PreparedStatement del =
            c.prepareStatement("DELETE FROM " + relation + " WHERE time >= ? AND time < ?")) {
          del.setObject(1, from.atOffset(ZoneOffset.UTC));
          del.setObject(2, to.atOffset(ZoneOffset.UTC));
          del.executeUpdate();
        }
      }
      c.commit();
      return new Result(encoder.samples > 0 ? 1 : 0, encoder.samples, encoder.chunks);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
      c.setTransactionIsolation(isolation);
    }
  }

  private static Result compact(Connection c, SampleLayout layout, SampleLayout.Sealed stretch)
      throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE " + stretch.relation() + " IN SHARE MODE");
      }
      Encoder encoder = new Encoder(c);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT series_id, date_part('epoch', time), "
                  + PgStore.VALUE_BITS
                  + " FROM "
                  + stretch.relation()
                  + " ORDER BY series_id, time")) {
        ps.setFetchSize(FETCH_ROWS);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            encoder.add(rs.getLong(1), Math.round(rs.getDouble(2) * 1000), PgStore.value(rs, 3));
          }
        }
      }
      encoder.finish();
      layout.drop(c, stretch);
      c.commit();
      return new Result(1, encoder.samples, encoder.chunks);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Rows in (series, time) order → chunks, inserted in batches. */
  private static final class Encoder implements AutoCloseable {
    private final PreparedStatement insert;
    private long series = Long.MIN_VALUE;
    private XorChunk chunk;
    private long last;
    private int pending;
    long samples;
    long chunks;

    Encoder(Connection c) throws SQLException {
      this.insert =
          c.prepareStatement(
              "INSERT INTO sample_chunks (series_id, min_time, max_time, samples, data)"
                  + " VALUES (?, ?, ?, ?, ?)");
    }

    void add(long seriesId, long time, double value) throws SQLException {
      if (seriesId != series) {
        flush();
        series = seriesId;
      } else if (time <= last) {
        return; // the same sample written twice (delivery is at least once): kept once
      }
      if (chunk == null) {
        chunk = new XorChunk();
      }
      chunk.append(time, value);
      last = time;
      samples++;
      if (chunk.count() >= MAX_CHUNK_SAMPLES) {
        flush();
      }
    }

    private void flush() throws SQLException {
      if (chunk == null) {
        return;
      }
      insert.setLong(1, series);
      insert.setObject(2, Instant.ofEpochMilli(chunk.firstTime()).atOffset(ZoneOffset.UTC));
      insert.setObject(3, Instant.ofEpochMilli(chunk.lastTime()).atOffset(ZoneOffset.UTC));
      insert.setInt(4, chunk.count());
      insert.setBytes(5, chunk.encoded());
      insert.addBatch();
      chunks++;
      chunk = null;
      if (++pending >= INSERT_BATCH) {
        insert.executeBatch();
        pending = 0;
      }
    }

    void finish() throws SQLException {
      flush();
      if (pending > 0) {
        insert.executeBatch();
      }
      close();
    }

    @Override
    public void close() throws SQLException {
      insert.close();
    }
  }
}
