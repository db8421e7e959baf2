package io.tillwatch.collector.store;

import io.tillwatch.collector.chunk.XorChunk;
import io.tillwatch.model.Labels;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stored samples as the engine's {@link SeriesSource}, for ranges older than the head: series found
 * by metric name and tenant in SQL (parameterised), the other matchers applied here, then their
 * samples in the range. A reader limited to some tenants sees only theirs.
 */
public final class StorageSource implements SeriesSource {
  private static final int FETCH_ROWS = 50_000;
  // the range PostgreSQL's timestamps hold (4713 BC to 294276 AD), well inside
  private static final long MIN_TIME = -62_135_596_800_000L; // year 1
  private static final long MAX_TIME = 253_402_300_799_000L; // year 9999

  private final PgStore store;
  private final TenantScope tenants;

  public StorageSource(PgStore store, TenantScope tenants) {
    this.store = store;
    this.tenants = tenants;
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    try (Connection c = store.read()) {
      Map<Long, Labels> series = matching(c, matchers, Long.MIN_VALUE, Long.MAX_VALUE);
      if (series.isEmpty()) {
        return List.of();
      }
      List<Stored> out = new ArrayList<>();
      // one statement: the raw rows of the range and the chunks that overlap it, as a cursor
      // (batches, not the whole answer at once), grouped by series; each series is merged once
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT series_id, date_part('epoch', time), "
                  + PgStore.VALUE_BITS
                  + ", NULL::integer, NULL::double precision"
                  + " FROM samples WHERE series_id = ANY (?) AND time >= ? AND time <= ?"
                  + " UNION ALL"
                  + " SELECT series_id, date_part('epoch', min_time), data, samples,"
                  + " date_part('epoch', max_time)"
                  + " FROM sample_chunks"
                  + " WHERE series_id = ANY (?) AND max_time >= ? AND min_time <= ?"
                  + " ORDER BY 1")) {
        ps.setFetchSize(FETCH_ROWS);
        Array ids = c.createArrayOf("bigint", series.keySet().toArray());
        for (int k = 0; k < 2; k++) {
          ps.setArray(3 * k + 1, ids);
          ps.setTimestamp(3 * k + 2, new Timestamp(minTime));
          ps.setTimestamp(3 * k + 3, new Timestamp(maxTime));
        }
        try (ResultSet rs = ps.executeQuery()) {
          long current = Long.MIN_VALUE;
          SeriesSamples merge = new SeriesSamples(minTime, maxTime);
          while (rs.next()) {
            long id = rs.getLong(1);
            if (id != current) {
              merge.finish(series.get(current), out);
              current = id;
            }
            // epoch seconds as a double hold milliseconds exactly enough to round back
            long time = Math.round(rs.getDouble(2) * 1000);
            int chunkSamples = rs.getInt(4);
            if (rs.wasNull()) {
              merge.row(time, PgStore.value(rs, 3));
            } else {
              merge.chunk(
                  XorChunk.of(
                      rs.getBytes(3), chunkSamples, time, Math.round(rs.getDouble(5) * 1000)));
            }
          }
          merge.finish(series.get(current), out);
        }
      } finally {
        c.rollback(); // read only: nothing to keep
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("reading stored samples: " + e.getMessage(), e);
    }
  }

  /**
   * The stored series a selector matches that have samples in [{@code minTime}, {@code maxTime}],
   * with {@code __name__}: what the series, labels and label values endpoints list from storage.
   */
  public List<Labels> series(List<Matcher> matchers, long minTime, long maxTime) {
    try (Connection c = store.read()) {
      return new ArrayList<>(matching(c, matchers, minTime, maxTime).values());
    } catch (SQLException e) {
      throw new IllegalStateException("reading stored series: " + e.getMessage(), e);
    }
  }

  /**
   * The series matching {@code matchers} by id: found by metric name and tenant in SQL, the other
   * matchers applied here; limited to those with samples in the range unless it is unbounded.
   */
  private Map<Long, Labels> matching(
      Connection c, List<Matcher> matchers, long minTime, long maxTime) throws SQLException {
    String name = null;
    for (Matcher m : matchers) {
      if (m.name().equals("__name__") && m.op() == Matcher.Op.EQ) {
        name = m.value();
      }
    }
    Map<Long, Labels> series = new LinkedHashMap<>();
    StringBuilder sql = new StringBuilder("SELECT id, metric, labels::text FROM series WHERE true");
    List<Object> params = new ArrayList<>();
    if (name != null) {
      sql.append(" AND metric = ?");
      params.add(name);
    }
    if (tenants.tenants().isPresent()) {
      sql.append(" AND tenant = ANY (?)");
      params.add(c.createArrayOf("text", tenants.tenants().get().toArray()));
    }
    if (minTime != Long.MIN_VALUE || maxTime != Long.MAX_VALUE) {
      Timestamp from = new Timestamp(Math.max(minTime, MIN_TIME));
      Timestamp to = new Timestamp(Math.min(maxTime, MAX_TIME));
      sql.append(
          " AND (EXISTS (SELECT 1 FROM samples"
              + " WHERE series_id = series.id AND time >= ? AND time <= ?)"
              + " OR EXISTS (SELECT 1 FROM sample_chunks"
              + " WHERE series_id = series.id AND max_time >= ? AND min_time <= ?))");
      params.addAll(List.of(from, to, from, to));
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> labels = JsonText.strings(rs.getString(3));
          labels.put("__name__", rs.getString(2));
          Labels l = Labels.of(labels);
          boolean all = true;
          for (Matcher m : matchers) {
            if (!m.matches(l.get(m.name()))) {
              all = false;
              break;
            }
          }
          if (all) {
            series.put(rs.getLong(1), l);
          }
        }
      }
    }
    return series;
  }
}
