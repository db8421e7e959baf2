package io.tillwatch.collector.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which weekly reports are due and sent ({@code report_sends}): a row per report (a tenant's or the
 * estate's) and ISO week. A replica claims a row by locking it in a transaction it keeps open while
 * it renders and sends; the row is marked sent in that transaction. A replica that dies mid-send
 * loses its lock with its connection, and the row is claimed again; a sent row is never claimed.
 */
public final class ReportSends {
  private final PgStore store;

  public ReportSends(PgStore store) {
    this.store = store;
  }

  /** A report not sent yet. */
  public record Unsent(
      String report, String week, Instant dueAt, int attempts, Optional<String> lastReason) {}

  /**
   * Records that {@code report} of {@code week} is due at {@code dueAt}; nothing if it is known.
   */
  public void due(String report, String week, Instant dueAt) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO report_sends (report, week, due_at, next_attempt_at)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (report, week) DO NOTHING")) {
      ps.setString(1, report);
      ps.setString(2, week);
      ps.setTimestamp(3, Timestamp.from(dueAt));
      ps.setTimestamp(4, Timestamp.from(dueAt));
      ps.executeUpdate();
    }
  }

  /** Reports due since {@code since} and not sent, oldest first. */
  public List<Unsent> unsent(Instant since) throws SQLException {
    List<Unsent> out = new ArrayList<>();
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT report, week, due_at, attempts, last_reason FROM report_sends"
                    + " WHERE sent_at IS NULL AND due_at >= ? ORDER BY due_at, report")) {
      ps.setTimestamp(1, Timestamp.from(since));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Unsent(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getTimestamp(3).toInstant(),
                  rs.getInt(4),
                  Optional.ofNullable(rs.getString(5))));
        }
      }
    }
    return out;
  }

  /** When a report was sent, if it was. */
  public Optional<Instant> sentAt(String report, String week) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT sent_at FROM report_sends WHERE report = ? AND week = ?")) {
      ps.setString(1, report);
      ps.setString(2, week);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getTimestamp(1) != null
            ? Optional.of(rs.getTimestamp(1).toInstant())
            : Optional.empty();
      }
    }
  }

  /**
   * Claims the oldest of {@code reports} due since {@code since} that is unsent, whose next attempt
   * is due at {@code now} and that no one else holds; empty when there is none.
   */
  public Optional<Claim> claim(Instant since, Instant now, java.util.Set<String> reports)
      throws SQLException {
    Connection c = store.connect();
    try {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT report, week, attempts FROM report_sends"
                  + " WHERE sent_at IS NULL AND due_at >= ? AND next_attempt_at <= ?"
                  + " AND report = ANY (?)"
                  + " ORDER BY due_at, report LIMIT 1 FOR UPDATE SKIP LOCKED")) {
        ps.setTimestamp(1, Timestamp.from(since));
        ps.setTimestamp(2, Timestamp.from(now));
        ps.setArray(3, c.createArrayOf("text", reports.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Optional.of(new Claim(c, rs.getString(1), rs.getString(2), rs.getInt(3)));
          }
        }
      }
      c.rollback();
      c.close();
      return Optional.empty();
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** A claimed report: its row stays locked until it is marked sent or failed, or closed. */
  public static final class Claim implements AutoCloseable {
    private final Connection c;
    private final String report;
    private final String week;
    private final int attempts;
    private boolean done;

    Claim(Connection c, String report, String week, int attempts) {
      this.c = c;
      this.report = report;
      this.week = week;
      this.attempts = attempts;
    }

    public String report() {
      return report;
    }

    public String week() {
      return week;
    }

    /** Attempts before this one. */
    public int attempts() {
      return attempts;
    }

    /** Marks it sent (and commits): no replica sends it again. */
    public void sent(Instant at, String messageId, String by) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE report_sends SET sent_at = ?, message_id = ?, sent_by = ?,"
                  + " attempts = attempts + 1 WHERE report = ? AND week = ?")) {
        ps.setTimestamp(1, Timestamp.from(at));
        ps.setString(2, messageId);
        ps.setString(3, by);
        ps.setString(4, report);
        ps.setString(5, week);
        ps.executeUpdate();
      }
      c.commit();
      done = true;
    }

    /** Records a failed attempt (and commits); it is tried again from {@code next}. */
    public void failed(Instant next, String reason, String error) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE report_sends SET attempts = attempts + 1, next_attempt_at = ?,"
                  + " last_reason = ?, last_error = ? WHERE report = ? AND week = ?")) {
        ps.setTimestamp(1, Timestamp.from(next));
        ps.setString(2, reason);
        ps.setString(3, error);
        ps.setString(4, report);
        ps.setString(5, week);
        ps.executeUpdate();
      }
      c.commit();
      done = true;
    }

    /** Gives the row back untouched unless it was marked; closes the connection. */
    @Override
    public void close() throws SQLException {
      try {
        if (!done) {
          c.rollback();
        }
      } finally {
        c.close();
      }
    }
  }
}
