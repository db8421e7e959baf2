package io.tillwatch.agent.postgres;

import static io.tillwatch.agent.postgres.PostgresMetrics.*;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeException;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * PostgreSQL replication, slots and WAL archiving of one server, primary or standby. One connection
 * per target, reopened after any failure; all JDBC runs on the given (virtual-thread) executor,
 * never on the event loop.
 */
public final class PostgresCollector implements Collector {
  private final Statements statements = new Statements();

  private static final String HEARTBEAT_TABLE = "tillwatch_heartbeat";

  private final PostgresTargetConfig target;
  private final Duration timeout;
  private final ReplicationTopology topology;
  private final Executor blocking;
  private final Clock clock;

  // touched only by the single scrape in flight (the runner never overlaps scrapes of a target)
  private Connection connection;
  private boolean heartbeatTableReady;
  private StandbyStream.Observation previous;
  private String primaryName;

  /**
   * @param timeout the scrape timeout; JDBC connect, login and socket timeouts are set just above
   *     it so that a hung server frees its thread soon after the runner gave up
   */
  public PostgresCollector(
      PostgresTargetConfig target,
      Duration timeout,
      ReplicationTopology topology,
      Executor blocking,
      Clock clock) {
    this.target = target;
    this.timeout = timeout;
    this.topology = topology;
    this.blocking = blocking;
    this.clock = clock;
    this.primaryName = target.primary().orElse(null);
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Future<List<Sample>> collect() {
    return Blocking.run(
        blocking,
        () -> {
          try {
            return scrape();
          } catch (SQLException | RuntimeException e) {
            closeQuietly(); // reconnect on the next scrape
            throw e;
          }
        });
  }

  private List<Sample> scrape() throws SQLException {
    Connection c = connection();
    List<Sample> out = new ArrayList<>();
    boolean inRecovery;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      inRecovery = rs.getBoolean(1);
    }
    out.add(IN_RECOVERY.sample(Labels.empty(), inRecovery ? 1 : 0));
    if (inRecovery) {
      standby(c, out);
    } else {
      primary(c, out);
    }
    slots(c, out);
    archiver(c, out);
    statements.add(c, out);
    return out;
  }

  private void primary(Connection c, List<Sample> out) throws SQLException {
    previous = null;
    if (target.heartbeat()) {
      writeHeartbeat(c);
    }
    double lsn = queryDouble(c, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8");
    topology.publishPrimary(target.name(), target.url(), lsn);
    out.add(WAL_POSITION.sample(Labels.empty(), lsn));
    int connected = 0;
    Set<String> seen = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
                SELECT application_name, client_addr::text, state, sync_state,
                       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8,
                       pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn)::float8,
                       extract(epoch FROM write_lag)::float8,
                       extract(epoch FROM flush_lag)::float8,
                       extract(epoch FROM replay_lag)::float8
                FROM pg_stat_replication
                WHERE state IS DISTINCT FROM 'backup'
                ORDER BY application_name, client_addr
                """)) {
      while (rs.next()) {
        connected++;
        String name =
            rs.getString(1) == null || rs.getString(1).isEmpty() ? "walreceiver" : rs.getString(1);
        if (!seen.add(name)) { // two standbys with one application_name: tell them apart
          name = name + "@" + rs.getString(2);
          seen.add(name);
        }
        Labels l = Labels.of("standby", name);
        out.add(REPLICATION_STREAMING.sample(l, "streaming".equals(rs.getString(3)) ? 1 : 0));
        String sync = rs.getString(4);
        out.add(REPLICATION_SYNC.sample(l, "sync".equals(sync) || "quorum".equals(sync) ? 1 : 0));
        addIfPresent(out, REPLICATION_LAG_BYTES.sample(l, nonNegative(rs, 5)));
        addIfPresent(out, REPLICATION_SEND_LAG_BYTES.sample(l, nonNegative(rs, 6)));
        // the *_lag intervals are NULL once a standby has caught up and WAL is idle: that is 0
        out.add(REPLICATION_WRITE_LAG.sample(l, orZero(rs, 7)));
        out.add(REPLICATION_FLUSH_LAG.sample(l, orZero(rs, 8)));
        out.add(REPLICATION_REPLAY_LAG.sample(l, orZero(rs, 9)));
      }
    }
    out.add(CONNECTED_STANDBYS.sample(Labels.empty(), connected));
  }

  private void writeHeartbeat(Connection c) throws SQLException {
    if (!heartbeatTableReady) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS "
                + HEARTBEAT_TABLE
                + " (id int PRIMARY KEY, written_at_ms bigint NOT NULL,"
                + " written_at timestamptz NOT NULL DEFAULT now())");
      } catch (SQLException e) {
        throw new ScrapeException(
            "permission",
            "heartbeat: cannot create table "
                + HEARTBEAT_TABLE
                + " (grant CREATE, or set heartbeat: false)",
            e);
      }
      heartbeatTableReady = true;
    }
    long now = clock.millis();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + HEARTBEAT_TABLE
                + " (id, written_at_ms, written_at) VALUES (1, ?, now())"
                + " ON CONFLICT (id) DO UPDATE SET written_at_ms = EXCLUDED.written_at_ms,"
                + " written_at = EXCLUDED.written_at")) {
      ps.setLong(1, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new ScrapeException("permission", "heartbeat: cannot write " + HEARTBEAT_TABLE, e);
    }
    topology.heartbeatWritten(target.name(), target.url(), now);
  }

  private void standby(Connection c, List<Sample> out) throws SQLException {
    double received;
    double replayed;
    double sinceReplayedXact;
    boolean paused;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
                SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::float8,
                       pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::float8,
                       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8,
                       pg_is_wal_replay_paused()
                """)) {
      rs.next();
      received = orNaN(rs, 1);
      replayed = orNaN(rs, 2);
      sinceReplayedXact = orNaN(rs, 3);
      paused = rs.getBoolean(4);
    }
    String status = null;
    String senderHost = null;
    int senderPort = 0;
    double lastMessageAge = Double.NaN;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT status, sender_host, sender_port,"
                    + " extract(epoch FROM now() - last_msg_receipt_time)::float8"
                    + " FROM pg_stat_wal_receiver")) {
      if (rs.next()) {
        status = rs.getString(1);
        senderHost = rs.getString(2);
        senderPort = rs.getInt(3);
        lastMessageAge = orNaN(rs, 4);
      }
    }
    var primary =
        topology
            .find(target.primary().orElse(null), senderHost, senderPort)
            .or(() -> topology.byName(primaryName));
    primary.ifPresent(p -> primaryName = p.name());
    double primaryLsn = primary.map(ReplicationTopology.PrimaryState::lsn).orElse(Double.NaN);
    StandbyStream.Observation now = new StandbyStream.Observation(received, primaryLsn);
    boolean up = StandbyStream.up(status, previous, now);
    previous = now;

    double backlog =
        Double.isNaN(received) || Double.isNaN(replayed)
            ? Double.NaN
            : Math.max(0, received - replayed);
    double delay =
        heartbeatDelay(c, primary.map(ReplicationTopology.PrimaryState::heartbeats).orElse(null));
    boolean fromHeartbeat = !Double.isNaN(delay);
    if (!fromHeartbeat) {
      // caught up (nothing received that is not replayed): 0, however long ago the last commit was
      delay = backlog == 0 || Double.isNaN(sinceReplayedXact) ? 0 : Math.max(0, sinceReplayedXact);
    }
    if (!Double.isNaN(received)) {
      out.add(WAL_POSITION.sample(Labels.empty(), received));
    }
    out.add(STANDBY_STREAM_UP.sample(Labels.empty(), up ? 1 : 0));
    out.add(STANDBY_REPLAY_DELAY.sample(Labels.empty(), delay));
    out.add(STANDBY_HEARTBEAT_KNOWN.sample(Labels.empty(), fromHeartbeat ? 1 : 0));
    addIfPresent(out, STANDBY_RECEIVE_REPLAY_BYTES.sample(Labels.empty(), backlog));
    out.add(STANDBY_REPLAY_PAUSED.sample(Labels.empty(), paused ? 1 : 0));
    if (status != null) {
      addIfPresent(
          out, STANDBY_LAST_MESSAGE_AGE.sample(Labels.empty(), Math.max(0, lastMessageAge)));
    }
  }

  /** Replay delay from the heartbeat row, or NaN when there is none. */
  private double heartbeatDelay(Connection c, HeartbeatLog log) throws SQLException {
    if (queryDouble(c, "SELECT (to_regclass('" + HEARTBEAT_TABLE + "') IS NOT NULL)::int") != 1) {
      return Double.NaN;
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT written_at_ms, extract(epoch FROM now() - written_at)::float8 FROM "
                    + HEARTBEAT_TABLE
                    + " WHERE id = 1")) {
      if (!rs.next()) {
        return Double.NaN;
      }
      long replayedMillis = rs.getLong(1);
      double byServerClocks = rs.getDouble(2);
      double byAgentClock =
          log == null ? Double.NaN : log.delaySeconds(replayedMillis, clock.millis());
      // written by another agent (or before a restart): compare the primary's and standby's clocks
      return Double.isNaN(byAgentClock) ? Math.max(0, byServerClocks) : byAgentClock;
    }
  }

  private void slots(Connection c, List<Sample> out) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
                SELECT slot_name, slot_type, active,
                       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                            ELSE pg_current_wal_lsn() END, restart_lsn)::float8,
                       wal_status, safe_wal_size::float8
                FROM pg_replication_slots ORDER BY slot_name
                """)) {
      while (rs.next()) {
        Labels l = Labels.of("slot", rs.getString(1), "slot_type", rs.getString(2));
        out.add(SLOT_ACTIVE.sample(l, rs.getBoolean(3) ? 1 : 0));
        addIfPresent(out, SLOT_RETAINED_BYTES.sample(l, nonNegative(rs, 4)));
        out.add(SLOT_LOST.sample(l, "lost".equals(rs.getString(5)) ? 1 : 0));
        addIfPresent(out, SLOT_SAFE_WAL_SIZE.sample(l, orNaN(rs, 6)));
      }
    }
  }

  private void archiver(Connection c, List<Sample> out) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT archived_count, failed_count,"
                    + " extract(epoch FROM now() - last_archived_time)::float8,"
                    + " current_setting('archive_mode') <> 'off'"
                    + " FROM pg_stat_archiver")) {
      if (rs.next()) {
        out.add(WAL_ARCHIVED.sample(Labels.empty(), rs.getLong(1)));
        out.add(WAL_ARCHIVE_FAILED.sample(Labels.empty(), rs.getLong(2)));
        addIfPresent(out, WAL_LAST_ARCHIVED_AGE.sample(Labels.empty(), Math.max(0, orNaN(rs, 3))));
        out.add(WAL_ARCHIVING_ENABLED.sample(Labels.empty(), rs.getBoolean(4) ? 1 : 0));
      }
    }
  }

  private Connection connection() throws SQLException {
    if (connection != null && !connection.isClosed()) {
      return connection;
    }
    int seconds = (int) Math.max(1, timeout.toSeconds() + 1);
    Properties p = new Properties();
    p.setProperty("user", target.user());
    p.setProperty("password", target.password().reveal());
    p.setProperty("connectTimeout", String.valueOf(seconds));
    p.setProperty("loginTimeout", String.valueOf(seconds));
    p.setProperty("socketTimeout", String.valueOf(seconds));
    p.setProperty("ApplicationName", "tillwatch-agent");
    p.setProperty("tcpKeepAlive", "true");
    connection = DriverManager.getConnection(target.url(), p);
    heartbeatTableReady = false;
    return connection;
  }

  private static double queryDouble(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return orNaN(rs, 1);
    }
  }

  private static double orNaN(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? Double.NaN : v;
  }

  private static double orZero(ResultSet rs, int column) throws SQLException {
    double v = orNaN(rs, column);
    return Double.isNaN(v) ? 0 : Math.max(0, v);
  }

  private static double nonNegative(ResultSet rs, int column) throws SQLException {
    double v = orNaN(rs, column);
    return Double.isNaN(v) ? v : Math.max(0, v);
  }

  /** Unknown values are left out, never exposed as NaN. */
  private static void addIfPresent(List<Sample> out, Sample s) {
    if (!Double.isNaN(s.value())) {
      out.add(s);
    }
  }

  private void closeQuietly() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // the connection is being thrown away
      }
    }
  }

  @Override
  public void close() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException e) {
        // closing a broken connection
      }
    }
  }
}
