package io.tillwatch.collector.store;

import io.tillwatch.collector.events.Event;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The events of every tenant ({@code events}): releases, maintenance windows, incidents and notes,
 * and the release guard's verdicts on releases.
 */
public final class EventLog {
  private static final String COLUMNS =
      "id, type, tenant, service, version, at, ends_at, text, verdict_healthy, verdict_text,"
          + " verdict_at";

  private final PgStore store;

  public EventLog(PgStore store) {
    this.store = store;
  }

  /** Stores {@code e}; the event with its id. */
  public Event add(Event e) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO events (type, tenant, service, version, at, ends_at, text)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, e.type().id());
      ps.setString(2, e.tenant());
      ps.setString(3, e.service());
      ps.setString(4, e.version());
      ps.setTimestamp(5, Timestamp.from(e.at()));
      if (e.end().isPresent()) {
        ps.setTimestamp(6, Timestamp.from(e.end().get()));
      } else {
        ps.setNull(6, Types.TIMESTAMP_WITH_TIMEZONE);
      }
      ps.setString(7, e.text());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return e.withId(rs.getLong(1));
      }
    }
  }

  /**
   * Events that start in {@code [from, to]}, or (with a length) run into it, oldest first, at most
   * {@code limit}.
   *
   * @param tenants the tenants whose events are wanted; null: every tenant's
   * @param type only events of this type, if given
   */
  public List<Event> list(
      Instant from, Instant to, Set<String> tenants, Optional<Event.Type> type, int limit)
      throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM events WHERE at <= ? AND (at >= ? OR ends_at >= ?)"
                    + " AND (?::text[] IS NULL OR tenant = ANY (?::text[]))"
                    + " AND (?::text IS NULL OR type = ?::text)"
                    + " ORDER BY at, id LIMIT ?")) {
      ps.setTimestamp(1, Timestamp.from(to));
      ps.setTimestamp(2, Timestamp.from(from));
      ps.setTimestamp(3, Timestamp.from(from));
      Array names = tenants == null ? null : c.createArrayOf("text", tenants.toArray());
      ps.setArray(4, names);
      ps.setArray(5, names);
      String t = type.map(Event.Type::id).orElse(null);
      ps.setString(6, t);
      ps.setString(7, t);
      ps.setInt(8, limit);
      return read(ps);
    }
  }

  /** Deploys without a verdict that happened no later than {@code before}, oldest first. */
  public List<Event> undecidedDeploys(Instant before, int limit) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM events WHERE type = 'deploy' AND verdict_at IS NULL AND at <= ?"
                    + " ORDER BY at, id LIMIT ?")) {
      ps.setTimestamp(1, Timestamp.from(before));
      ps.setInt(2, limit);
      return read(ps);
    }
  }

  /** Records the release guard's verdict on deploy {@code id}; false when it had one already. */
  public boolean decide(long id, Event.Verdict v) throws SQLException {
    try (Connection c = store.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE events SET verdict_healthy = ?, verdict_text = ?, verdict_at = ?"
                    + " WHERE id = ? AND verdict_at IS NULL")) {
      ps.setBoolean(1, v.healthy());
      ps.setString(2, v.text());
      ps.setTimestamp(3, Timestamp.from(v.decidedAt()));
      ps.setLong(4, id);
      return ps.executeUpdate() == 1;
    }
  }

  private static List<Event> read(PreparedStatement ps) throws SQLException {
    List<Event> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Instant at = rs.getTimestamp(6).toInstant();
        Timestamp ends = rs.getTimestamp(7);
        Timestamp decided = rs.getTimestamp(11);
        out.add(
            new Event(
                rs.getLong(1),
                Event.Type.parse(rs.getString(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                at,
                ends == null
                    ? Optional.empty()
                    : Optional.of(Duration.between(at, ends.toInstant())),
                rs.getString(8),
                decided == null
                    ? Optional.empty()
                    : Optional.of(
                        new Event.Verdict(
                            rs.getBoolean(9), rs.getString(10), decided.toInstant()))));
      }
    }
    return out;
  }
}
