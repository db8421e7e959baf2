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
import java.util.Arrays;
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
    SampleCache cache = store.cache();
    try (Lazy c = new Lazy(store)) {
      Map<Long, Labels> series = lookup(c, cache, matchers);
      if (series.isEmpty()) {
        return List.of();
      }
      if (cache == null || minTime >= cache.horizon()) {
        return new ArrayList<>(read(c.get(), series, minTime, maxTime).values());
      }
      return cached(c, cache, series, minTime, maxTime);
    } catch (SQLException e) {
      throw new IllegalStateException("reading stored samples: " + e.getMessage(), e);
    }
  }

  /** A read connection taken only when storage is asked. */
  private static final class Lazy implements AutoCloseable {
    private final PgStore store;
    private Connection c;

    Lazy(PgStore store) {
      this.store = store;
    }

    Connection get() throws SQLException {
      if (c == null) {
        c = store.read();
      }
      return c;
    }

    @Override
    public void close() throws SQLException {
      if (c != null) {
        c.close();
      }
    }
  }

  /** The series of a selector, from the cache while no series was created since. */
  private Map<Long, Labels> lookup(Lazy c, SampleCache cache, List<Matcher> matchers)
      throws SQLException {
    if (cache == null) {
      return matching(c.get(), matchers, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    String key =
        tenants.tenants().map(t -> new java.util.TreeSet<>(t).toString()).orElse("*") + matchers;
    Map<Long, Labels> known = cache.lookup(key);
    if (known != null) {
      return known;
    }
    long seen = cache.seriesEpoch();
    Map<Long, Labels> found =
        java.util.Collections.unmodifiableMap(
            matching(c.get(), matchers, Long.MIN_VALUE, Long.MAX_VALUE));
    cache.putLookup(key, found, seen);
    return found;
  }

  private static final long DAY = 86_400_000L;
  private static final long[] NO_TIMES = {};
  private static final double[] NO_VALUES = {};

  /**
   * A range that starts before the cache's horizon: each series' settled samples from its cache
   * entry (filled from storage, from the start of {@code minTime}'s day to the horizon, when it has
   * none reaching back far enough), what lies past an entry's end from storage in one statement for
   * all of them (and kept: the entries grow forward).
   */
  private List<Stored> cached(
      Lazy c, SampleCache cache, Map<Long, Labels> series, long minTime, long maxTime)
      throws SQLException {
    long horizon = cache.horizon();
    Map<Long, SampleCache.Entry> entries = new java.util.HashMap<>();
    Map<Long, SampleCache.Entry> prior = new java.util.HashMap<>();
    Map<Long, Labels> missing = new LinkedHashMap<>();
    for (Map.Entry<Long, Labels> s : series.entrySet()) {
      SampleCache.Entry e = cache.get(s.getKey());
      if (e != null && e.from() <= minTime) {
        entries.put(s.getKey(), e);
      } else {
        missing.put(s.getKey(), s.getValue());
        prior.put(s.getKey(), e);
      }
    }
    if (!missing.isEmpty()) {
      long from = Math.floorDiv(Math.max(minTime, MIN_TIME), DAY) * DAY; // MIN_TIME: a day start
      long seen = cache.epoch();
      Map<Long, Stored> got = read(c.get(), missing, from, horizon - 1);
      for (Long id : missing.keySet()) {
        Stored s = got.get(id);
        SampleCache.Entry e =
            s == null
                ? SampleCache.entry(from, horizon, NO_TIMES, NO_VALUES, 0)
                : SampleCache.entry(from, horizon, s.times(), s.values(), s.times().length);
        cache.put(id, e, prior.get(id), seen);
        entries.put(id, e);
      }
    }
    // past the entries' ends: one statement for every series an entry does not cover to maxTime
    Map<Long, Labels> behind = new LinkedHashMap<>();
    long tailFrom = Long.MAX_VALUE;
    for (Map.Entry<Long, SampleCache.Entry> e : entries.entrySet()) {
      if (e.getValue().to() <= maxTime) {
        behind.put(e.getKey(), series.get(e.getKey()));
        tailFrom = Math.min(tailFrom, e.getValue().to());
      }
    }
    Map<Long, Stored> tail = Map.of();
    if (!behind.isEmpty()) {
      long seen = cache.epoch();
      tail = read(c.get(), behind, tailFrom, maxTime);
      long newTo = Math.min(maxTime + 1, horizon); // what is settled now
      for (Long id : behind.keySet()) {
        SampleCache.Entry e = entries.get(id);
        if (newTo <= e.to()) {
          continue;
        }
        Stored s = tail.get(id);
        long[] t = s == null ? NO_TIMES : s.times();
        int a = 0;
        while (a < t.length && t[a] < e.to()) {
          a++;
        }
        int b = a;
        while (b < t.length && t[b] < newTo) {
          b++;
        }
        cache.put(
            id,
            e.extend(
                newTo,
                Arrays.copyOfRange(t, a, b),
                Arrays.copyOfRange(s == null ? NO_VALUES : s.values(), a, b),
                b - a),
            e,
            seen);
      }
    }
    List<Long> ids = new ArrayList<>(series.keySet());
    ids.sort(null);
    List<Stored> out = new ArrayList<>();
    SeriesSamples merge = new SeriesSamples(minTime, maxTime);
    for (Long id : ids) {
      SampleCache.Entry e = entries.get(id);
      for (XorChunk chunk : e.overlapping(minTime, maxTime)) {
        merge.chunk(chunk);
      }
      Stored s = tail.get(id);
      if (s != null) {
        for (int i = 0; i < s.times().length; i++) {
          if (s.times()[i] >= e.to()) {
            merge.row(s.times()[i], s.values()[i]);
          }
        }
      }
      merge.finish(series.get(id), out);
    }
    return out;
  }

  /**
   * The stored samples of {@code series} in [{@code minTime}, {@code maxTime}], by series id in id
   * order: one statement, the raw rows of the range and the chunks that overlap it, as a cursor
   * (batches, not the whole answer at once), grouped by series; each series merged once.
   */
  private static Map<Long, Stored> read(
      Connection c, Map<Long, Labels> series, long minTime, long maxTime) throws SQLException {
    Map<Long, Stored> out = new LinkedHashMap<>();
    boolean auto = c.getAutoCommit();
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
        ps.setTimestamp(3 * k + 2, new Timestamp(Math.max(minTime, MIN_TIME)));
        ps.setTimestamp(3 * k + 3, new Timestamp(Math.min(maxTime, MAX_TIME)));
      }
      try (ResultSet rs = ps.executeQuery()) {
        long current = Long.MIN_VALUE;
        SeriesSamples merge = new SeriesSamples(minTime, maxTime);
        List<Stored> one = new ArrayList<>(1);
        while (rs.next()) {
          long id = rs.getLong(1);
          if (id != current) {
            finish(merge, series, current, one, out);
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
        finish(merge, series, current, one, out);
      }
    } finally {
      c.rollback(); // read only: nothing to keep
      c.setAutoCommit(auto);
    }
    return out;
  }

  private static void finish(
      SeriesSamples merge,
      Map<Long, Labels> series,
      long id,
      List<Stored> one,
      Map<Long, Stored> out) {
    merge.finish(series.get(id), one);
    if (!one.isEmpty()) {
      out.put(id, one.get(0));
      one.clear();
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
          // chunks first: over days most series have one, and the row check is then skipped
          " AND (EXISTS (SELECT 1 FROM sample_chunks"
              + " WHERE series_id = series.id AND max_time >= ? AND min_time <= ?)"
              + " OR EXISTS (SELECT 1 FROM samples"
              + " WHERE series_id = series.id AND time >= ? AND time <= ?))");
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
