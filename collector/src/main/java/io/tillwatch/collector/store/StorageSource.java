package io.tillwatch.collector.store;

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

  private final PgStore store;
  private final TenantScope tenants;

  public StorageSource(PgStore store, TenantScope tenants) {
    this.store = store;
    this.tenants = tenants;
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    String name = null;
    for (Matcher m : matchers) {
      if (m.name().equals("__name__") && m.op() == Matcher.Op.EQ) {
        name = m.value();
      }
    }
    try (Connection c = store.read()) {
      Map<Long, Labels> series = new LinkedHashMap<>();
      StringBuilder sql =
          new StringBuilder("SELECT id, metric, labels::text FROM series WHERE true");
      List<Object> params = new ArrayList<>();
      if (name != null) {
        sql.append(" AND metric = ?");
        params.add(name);
      }
      if (tenants.tenants().isPresent()) {
        sql.append(" AND tenant = ANY (?)");
        params.add(c.createArrayOf("text", tenants.tenants().get().toArray()));
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
      if (series.isEmpty()) {
        return List.of();
      }
      List<Stored> out = new ArrayList<>();
      // a cursor: rows stream in batches instead of being held all at once; rows come grouped
      // by series, so each series' arrays are filled in one run without a lookup a row
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT series_id, date_part('epoch', time), "
                  + PgStore.VALUE_BITS
                  + " FROM samples"
                  + " WHERE series_id = ANY (?) AND time >= ? AND time <= ?"
                  + " ORDER BY series_id, time")) {
        ps.setFetchSize(FETCH_ROWS);
        Array ids = c.createArrayOf("bigint", series.keySet().toArray());
        ps.setArray(1, ids);
        ps.setTimestamp(2, new Timestamp(minTime));
        ps.setTimestamp(3, new Timestamp(maxTime));
        try (ResultSet rs = ps.executeQuery()) {
          long current = Long.MIN_VALUE;
          long[] t = new long[0];
          double[] v = new double[0];
          int n = 0;
          while (rs.next()) {
            long id = rs.getLong(1);
            if (id != current) {
              if (n > 0) {
                out.add(new Stored(series.get(current), Arrays.copyOf(t, n), Arrays.copyOf(v, n)));
              }
              current = id;
              t = new long[256];
              v = new double[256];
              n = 0;
            }
            if (n == t.length) {
              t = Arrays.copyOf(t, n * 2);
              v = Arrays.copyOf(v, n * 2);
            }
            // epoch seconds as a double hold milliseconds exactly enough to round back
            t[n] = Math.round(rs.getDouble(2) * 1000);
            v[n++] = PgStore.value(rs, 3);
          }
          if (n > 0) {
            out.add(new Stored(series.get(current), Arrays.copyOf(t, n), Arrays.copyOf(v, n)));
          }
        }
      } finally {
        c.rollback(); // read only: nothing to keep
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("reading stored samples: " + e.getMessage(), e);
    }
  }
}
