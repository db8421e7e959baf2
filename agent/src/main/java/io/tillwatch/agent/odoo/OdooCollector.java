package io.tillwatch.agent.odoo;

import static io.tillwatch.agent.odoo.OdooMetrics.*;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * Odoo's order intake and OCA {@code queue_job} queues, by read-only SQL. Odoo stores datetimes as
 * UTC in {@code timestamp without time zone}: every comparison is against {@code now() AT TIME ZONE
 * 'UTC'}, so the session's time zone never matters.
 */
public final class OdooCollector implements Collector {
  static final List<String> STATES =
      List.of("wait_dependencies", "pending", "enqueued", "started", "done", "cancelled", "failed");
  static final List<String> WAITING = List.of("pending", "enqueued", "started");
  private static final String UTC_NOW = "(now() AT TIME ZONE 'UTC')";
  private static final long OVERLAP_MILLIS = Duration.ofMinutes(10).toMillis();
  private static final String SALE_CONFIRMED = "state IN ('sale', 'done')"; // done: Odoo <= 16

  /** A point-of-sale order that is a sale: paid at the till, posted, or invoiced. */
  static final List<String> POS_PAID_STATES = List.of("paid", "done", "invoiced");

  /** {@link #POS_PAID_STATES} as SQL: {@code ('paid', 'done', 'invoiced')}. */
  static final String POS_PAID_SQL =
      POS_PAID_STATES.stream()
          .map(st -> "'" + st + "'")
          .collect(java.util.stream.Collectors.joining(", ", "(", ")"));

  private static final String POS_PAID = "state IN " + POS_PAID_SQL;

  private final OdooTargetConfig target;
  private final Duration timeout;
  private final Executor blocking;

  // touched only by the single scrape in flight
  private Connection connection;
  private long startMillis = -1;
  private NewRowCounter jobsDone;
  private NewRowCounter saleOrders;
  private NewRowCounter posOrders;
  private final PosStores stores;

  public OdooCollector(OdooTargetConfig target, Duration timeout, Executor blocking) {
    this.target = target;
    this.timeout = timeout;
    this.blocking = blocking;
    this.stores = target.stores().map(PosStores::new).orElse(null);
  }

  /** Order rows the per-store signals read since the start (0 without {@code stores: true}). */
  public long storesRowsRead() {
    return stores == null ? 0 : stores.rowsRead();
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
            return scrape(connection());
          } catch (SQLException | RuntimeException e) {
            close();
            throw e;
          }
        });
  }

  private List<Sample> scrape(Connection c) throws SQLException {
    List<Sample> out = new ArrayList<>();
    long dbNow = (long) (single(c, "SELECT extract(epoch FROM now())") * 1000);
    if (startMillis < 0) {
      startMillis = dbNow;
      jobsDone = new NewRowCounter(startMillis, OVERLAP_MILLIS);
      saleOrders = new NewRowCounter(startMillis, OVERLAP_MILLIS);
      posOrders = new NewRowCounter(startMillis, OVERLAP_MILLIS);
    }
    boolean queueJob = exists(c, "queue_job");
    out.add(
        SCHEMA.sample(
            Labels.of("queue_job", queueJob ? "present" : "absent", "version", version(c)), 1));
    if (queueJob) {
      queue(c, out);
    }
    if (exists(c, "sale_order")) {
      orders(c, out, "sale", "sale_order", SALE_CONFIRMED, saleOrders);
    }
    if (exists(c, "pos_order")) {
      orders(c, out, "pos", "pos_order", POS_PAID, posOrders);
      if (stores != null) {
        stores.scrape(c, dbNow, out);
      }
    }
    return out;
  }

  private void queue(Connection c, List<Sample> out) throws SQLException {
    Map<String, Map<String, Double>> counts = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT channel, state, count(*) FROM queue_job GROUP BY channel, state")) {
      while (rs.next()) {
        counts
            .computeIfAbsent(channel(rs.getString(1)), k -> new TreeMap<>())
            .put(rs.getString(2), rs.getDouble(3));
      }
    }
    TreeSet<String> channels = new TreeSet<>(counts.keySet());
    for (String ch : channels) {
      for (String state : STATES) {
        out.add(
            QUEUE_JOBS.sample(
                Labels.of("channel", ch, "state", state), counts.get(ch).getOrDefault(state, 0.0)));
      }
    }
    oldest(c, out, channels);
    stuck(c, out, channels);
    failed(c, out);
    done(c, out, channels);
  }

  /** Oldest waiting job per channel and state; a pending job is late only once its eta passed. */
  private void oldest(Connection c, List<Sample> out, TreeSet<String> channels)
      throws SQLException {
    Map<String, Double> ages = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                """
                SELECT channel, state, extract(epoch FROM %1$s - min(CASE state
                         WHEN 'pending' THEN GREATEST(date_created, eta)
                         WHEN 'enqueued' THEN coalesce(date_enqueued, date_created)
                         ELSE coalesce(date_started, date_enqueued, date_created) END))
                FROM queue_job
                WHERE state IN ('pending', 'enqueued', 'started')
                  AND NOT (state = 'pending' AND eta IS NOT NULL AND eta > %1$s)
                GROUP BY channel, state
                """
                    .formatted(UTC_NOW))) {
      while (rs.next()) {
        ages.put(
            channel(rs.getString(1)) + "\u0000" + rs.getString(2), Math.max(0, rs.getDouble(3)));
      }
    }
    for (String ch : channels) {
      for (String state : WAITING) {
        out.add(
            QUEUE_OLDEST_AGE.sample(
                Labels.of("channel", ch, "state", state),
                ages.getOrDefault(ch + "\u0000" + state, 0.0)));
      }
    }
  }

  private void stuck(Connection c, List<Sample> out, TreeSet<String> channels) throws SQLException {
    Map<String, Double> stuck = new TreeMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            SELECT channel, count(*) FROM queue_job
            WHERE (state = 'enqueued' AND coalesce(date_enqueued, date_created) < %1$s - interval '5 minutes')
               OR (state = 'started'
                   AND coalesce(date_started, date_enqueued, date_created) < %1$s - make_interval(secs => ?))
            GROUP BY channel
            """
                .formatted(UTC_NOW))) {
      ps.setDouble(1, target.stuckStartedAfter().toMillis() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stuck.put(channel(rs.getString(1)), rs.getDouble(2));
        }
      }
    }
    for (String ch : channels) {
      out.add(QUEUE_STUCK.sample(Labels.of("channel", ch), stuck.getOrDefault(ch, 0.0)));
    }
  }

  private void failed(Connection c, List<Sample> out) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT channel, coalesce(channel_method_name, model_name || '.' || method_name), count(*)"
                    + " FROM queue_job WHERE state = 'failed' GROUP BY 1, 2 ORDER BY 1, 2")) {
      while (rs.next()) {
        out.add(
            QUEUE_FAILED.sample(
                Labels.of(
                    "channel", channel(rs.getString(1)), "job", String.valueOf(rs.getString(2))),
                rs.getDouble(3)));
      }
    }
  }

  private void done(Connection c, List<Sample> out, TreeSet<String> channels) throws SQLException {
    channels.forEach(jobsDone::touch);
    long latest = jobsDone.watermark();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT uuid, channel, extract(epoch FROM date_done) FROM queue_job"
                + " WHERE state = 'done' AND date_done > (to_timestamp(?) AT TIME ZONE 'UTC')")) {
      ps.setDouble(1, jobsDone.since() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long at = (long) (rs.getDouble(3) * 1000);
          jobsDone.offer(rs.getString(1), channel(rs.getString(2)), at, startMillis);
          latest = Math.max(latest, at);
        }
      }
    }
    jobsDone.advance(latest);
    jobsDone.totals().forEach((ch, n) -> out.add(QUEUE_DONE.sample(Labels.of("channel", ch), n)));
  }

  private void orders(
      Connection c,
      List<Sample> out,
      String source,
      String table,
      String confirmed,
      NewRowCounter counter)
      throws SQLException {
    counter.touch(source);
    long latest = counter.watermark();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, extract(epoch FROM date_order) FROM "
                + table
                + " WHERE "
                + confirmed
                + " AND date_order > (to_timestamp(?) AT TIME ZONE 'UTC')")) {
      ps.setDouble(1, counter.since() / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long at = (long) (rs.getDouble(2) * 1000);
          counter.offer(rs.getString(1), source, at, startMillis);
          latest = Math.max(latest, at);
        }
      }
    }
    counter.advance(latest);
    out.add(ORDERS.sample(Labels.of("source", source), counter.totals().get(source)));
    double age =
        single(
            c,
            "SELECT extract(epoch FROM "
                + UTC_NOW
                + " - date_order) FROM "
                + table
                + " WHERE "
                + confirmed
                + " ORDER BY date_order DESC LIMIT 1");
    if (!Double.isNaN(age)) {
      out.add(LAST_ORDER_AGE.sample(Labels.of("source", source), Math.max(0, age)));
    }
  }

  private static String channel(String channel) {
    return channel == null || channel.isEmpty() ? "root" : channel;
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Odoo's major version from the base module (e.g. {@code 17.0}), or {@code unknown}. */
  private static String version(Connection c) throws SQLException {
    if (!exists(c, "ir_module_module")) {
      return "unknown";
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT latest_version FROM ir_module_module WHERE name = 'base'")) {
      if (!rs.next() || rs.getString(1) == null) {
        return "unknown";
      }
      String[] parts = rs.getString(1).split("\\.");
      return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
    }
  }

  private static double single(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        return Double.NaN;
      }
      double v = rs.getDouble(1);
      return rs.wasNull() ? Double.NaN : v;
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
    p.setProperty("readOnly", "true");
    connection = DriverManager.getConnection(target.url(), p);
    return connection;
  }

  @Override
  public void close() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException e) {
        // throwing the connection away
      }
    }
  }
}
