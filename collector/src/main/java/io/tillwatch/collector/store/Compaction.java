package io.tillwatch.collector.store;

import io.tillwatch.collector.chunk.XorChunk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

    Result plus(Result o) {
      return new Result(stretches + o.stretches, samples + o.samples, chunks + o.chunks);
    }
  }

  /** Compacts every stretch that ends at or before {@code before}, oldest first. */
  static Result run(Connection c, SampleLayout layout, Instant before) throws SQLException {
    Result total = Result.NONE;
    for (SampleLayout.Sealed s : layout.sealed(c, before)) {
      total = total.plus(compact(c, layout, s));
    }
    return total;
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
