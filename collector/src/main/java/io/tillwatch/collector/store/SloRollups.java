package io.tillwatch.collector.store;

import io.tillwatch.model.TenantScope;
import io.tillwatch.slo.DailyCounts;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The daily SLO rollups in PostgreSQL ({@code slo_daily}): good and total per SLO, tenant and the
 * tenant's local day, and how far each SLO is counted ({@code slo_progress}). Counts are added in
 * the same transaction that moves an SLO's progress on, so a slice is counted once.
 */
public final class SloRollups {
  /** How long rollups are kept. */
  public static final int KEEP_DAYS = 400;

  private final PgStore store;

  public SloRollups(PgStore store) {
    this.store = store;
  }

  /** How far an SLO is counted, and the definition it was counted with. */
  public record Progress(Instant through, String definition) {}

  /** How far the SLO variant {@code variant} is counted. */
  public Optional<Progress> progress(String variant) throws SQLException {
    try (Connection c = store.read();
        PreparedStatement ps =
            c.prepareStatement("SELECT through, definition FROM slo_progress WHERE variant = ?")) {
      ps.setString(1, variant);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new Progress(
                    rs.getObject(1, java.time.OffsetDateTime.class).toInstant(), rs.getString(2)))
            : Optional.empty();
      }
    }
  }

  /**
   * Adds {@code counts} (per tenant, per day) to the rollups and moves {@code slo}'s progress to
   * {@code through}, in one transaction; {@code variant} tells apart SLOs of one name for different
   * tenants. A changed {@code definition} (expression, budgeting) recounts what samples still hold:
   * {@code recountFrom}, when given, drops the SLO's days from that day on first.
   */
  public void add(
      String slo,
      String variant,
      Map<String, Map<LocalDate, DailyCounts.Count>> counts,
      Instant through,
      String definition,
      LocalDate recountFrom)
      throws SQLException {
    try (Connection c = store.connect()) {
      c.setAutoCommit(false);
      try {
        if (recountFrom != null) {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM slo_daily WHERE variant = ? AND day >= ?")) {
            ps.setString(1, variant);
            ps.setObject(2, recountFrom);
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO slo_daily (slo, variant, tenant, day, good, total)"
                    + " VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (variant, tenant, day) DO UPDATE SET"
                    + " good = slo_daily.good + excluded.good,"
                    + " total = slo_daily.total + excluded.total, updated_at = now()")) {
          for (Map.Entry<String, Map<LocalDate, DailyCounts.Count>> t : counts.entrySet()) {
            for (Map.Entry<LocalDate, DailyCounts.Count> d : t.getValue().entrySet()) {
              ps.setString(1, slo);
              ps.setString(2, variant);
              ps.setString(3, t.getKey());
              ps.setObject(4, d.getKey());
              ps.setDouble(5, d.getValue().good());
              ps.setDouble(6, d.getValue().total());
              ps.addBatch();
            }
          }
          ps.executeBatch();
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO slo_progress (variant, through, definition) VALUES (?, ?, ?)"
                    + " ON CONFLICT (variant) DO UPDATE SET through = excluded.through,"
                    + " definition = excluded.definition")) {
          ps.setString(1, variant);
          ps.setObject(2, through.atOffset(ZoneOffset.UTC));
          ps.setString(3, definition);
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * The days of {@code [from, to]} of every tenant in {@code scope} (and, when given, of one tenant
   * and SLO): SLO → tenant → day → counts.
   */
  public Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> days(
      TenantScope scope,
      Optional<String> tenant,
      Optional<String> slo,
      LocalDate from,
      LocalDate to)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT slo, tenant, day, sum(good), sum(total) FROM slo_daily"
                + " WHERE day BETWEEN ? AND ?");
    if (scope.tenants().isPresent()) {
      sql.append(" AND tenant = ANY (?)");
    }
    tenant.ifPresent(t -> sql.append(" AND tenant = ?"));
    slo.ifPresent(s -> sql.append(" AND slo = ?"));
    sql.append(" GROUP BY slo, tenant, day");
    Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> out = new HashMap<>();
    try (Connection c = store.read();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      ps.setObject(i++, from);
      ps.setObject(i++, to);
      if (scope.tenants().isPresent()) {
        Array a = c.createArrayOf("text", scope.tenants().get().toArray());
        ps.setArray(i++, a);
      }
      if (tenant.isPresent()) {
        ps.setString(i++, tenant.get());
      }
      if (slo.isPresent()) {
        ps.setString(i++, slo.get());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
              .computeIfAbsent(rs.getString(2), k -> new TreeMap<>())
              .put(
                  rs.getObject(3, LocalDate.class),
                  new DailyCounts.Count(rs.getDouble(4), rs.getDouble(5)));
        }
      }
    }
    return out;
  }

  /** Drops days older than {@link #KEEP_DAYS} before {@code today}; how many. */
  public int expire(LocalDate today) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps = c.prepareStatement("DELETE FROM slo_daily WHERE day < ?")) {
      ps.setObject(1, today.minusDays(KEEP_DAYS));
      return ps.executeUpdate();
    }
  }
}
