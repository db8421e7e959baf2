package io.tillwatch.agent.odoo;

import static io.tillwatch.agent.odoo.OdooMetrics.*;

import io.tillwatch.agent.config.PosStoresConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tenant's stores as its tills ({@code pos.config}) report them: orders, the newest sale, how
 * late orders reach the server, open sessions, whether the store trades now and its usual orders
 * for this hour of the week. Reads only what changed: orders past an id floor, in one snapshot.
 *
 * <p>The floor: a row whose id is at most the highest id seen by an earlier scrape may still commit
 * after it (its transaction was in flight). Each scrape records the highest id it sees and its
 * snapshot's {@code xmax}; once a later snapshot's {@code xmin} has passed that {@code xmax}, every
 * transaction that could still add a lower id has ended, and the floor moves up to that id. Rows
 * above the floor are read again until then and counted once, by id. Draft orders (a restaurant's
 * open table) are looked up again by id until they are paid or cancelled.
 */
final class PosStores {
  static final String PAID = OdooCollector.POS_PAID_SQL;
  static final String OPEN_SESSION = "('opening_control', 'opened', 'closing_control')";
  private static final String UTC_NOW = "(now() AT TIME ZONE 'UTC')";

  /** Sync delays are those of the orders that reached the server in this window. */
  static final Duration DELAY_WINDOW = Duration.ofMinutes(15);

  /** A store's newest sale at start is looked for this far back. */
  static final Duration LOOKBACK = Duration.ofDays(7);

  /** The usual rate of an hour is the mean of the same hour in this many earlier weeks. */
  static final int USUAL_WEEKS = 4;

  /** Drafts not paid within this are forgotten. */
  private static final Duration DRAFT_LIFE = Duration.ofDays(1);

  private static final int MAX_DRAFTS = 100_000;
  private static final double[] QUANTILES = {0.5, 0.9, 1};

  private final PosStoresConfig config;

  // touched only by the single scrape in flight
  private boolean started;
  private long floor;
  private final Set<Long> seen = new HashSet<>();
  private final Deque<long[]> checkpoints = new ArrayDeque<>(); // {max id, snapshot xmax}
  private final Map<Long, Long> drafts = new HashMap<>(); // id -> first seen (ms)
  private final Map<String, Store> stores = new TreeMap<>();
  private long usualHour = Long.MIN_VALUE;
  private Map<String, Double> usual = Map.of();
  private long rowsRead;

  /** One store's state across scrapes. */
  private static final class Store {
    long orders;
    long lastOrderMillis = Long.MIN_VALUE;
    final Deque<double[]> delays = new ArrayDeque<>(); // {arrival ms, delay s}, arrival order
  }

  PosStores(PosStoresConfig config) {
    this.config = config;
  }

  /** Order rows read since the start: what "only new rows" is measured by. */
  long rowsRead() {
    return rowsRead;
  }

  /**
   * Adds the per-store samples at {@code dbNow} (the database's clock, epoch ms); in one
   * repeatable-read snapshot, ended before returning.
   */
  void scrape(Connection c, long dbNow, List<Sample> out) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    int isolation = c.getTransactionIsolation();
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      long[] snapshot = snapshot(c);
      Map<Long, String> tills = tills(c);
      for (String store : new TreeSet<>(tills.values())) {
        stores.computeIfAbsent(store, s -> new Store());
      }
      stores.keySet().retainAll(new HashSet<>(tills.values()));
      if (!started) {
        floor = snapshot[2];
        newestAtStart(c, tills, dbNow);
        started = true;
      } else {
        newOrders(c, tills, dbNow);
        paidDrafts(c, tills, dbNow);
      }
      advanceFloor(snapshot);
      long hour = Math.floorDiv(dbNow, 3_600_000L);
      if (hour != usualHour) {
        usual = usual(c, tills, hour * 3_600_000L);
        usualHour = hour;
      }
      Map<String, Double> sessions = openSessions(c, tills);
      c.commit();
      emit(out, dbNow, sessions);
    } finally {
      try {
        c.rollback();
      } finally {
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /** {xmin, xmax, highest order id} of this scrape's snapshot. */
  private static long[] snapshot(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT txid_snapshot_xmin(s), txid_snapshot_xmax(s),"
                    + " (SELECT coalesce(max(id), 0) FROM pos_order)"
                    + " FROM (SELECT txid_current_snapshot() AS s) AS snap")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }

  /** Each till's store (active tills), checked against {@code max_stores}. */
  private Map<Long, String> tills(Connection c) throws SQLException {
    String group =
        switch (config.storeBy()) {
          case WAREHOUSE ->
              "SELECT c.id, c.name, w.name FROM pos_config c"
                  + " LEFT JOIN stock_picking_type t ON t.id = c.picking_type_id"
                  + " LEFT JOIN stock_warehouse w ON w.id = t.warehouse_id";
          case COMPANY ->
              "SELECT c.id, c.name, co.name FROM pos_config c"
                  + " LEFT JOIN res_company co ON co.id = c.company_id";
          case TILL -> "SELECT c.id, c.name, c.name FROM pos_config c";
        };
    Map<Long, String> tills = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(group + " WHERE c.active IS NOT FALSE")) {
      while (rs.next()) {
        String till = rs.getString(2);
        String store = config.tills().get(till);
        if (store == null) {
          store = rs.getString(3) == null ? till : rs.getString(3);
        }
        tills.put(rs.getLong(1), store);
      }
    }
    int count = new HashSet<>(tills.values()).size();
    if (count > config.maxStores()) {
      throw new IllegalStateException(
          count
              + " stores (by "
              + config.storeBy().name().toLowerCase(java.util.Locale.ROOT)
              + ") are more than max_stores "
              + config.maxStores()
              + ": raise max_stores, or group tills with store_by or tills");
    }
    return tills;
  }

  /**
   * At start: each store's newest sale of the last {@link #LOOKBACK}: the newest per session by the
   * date_order index, then those sessions' tills by primary key (two steps: joined, the planner
   * reads every session of the years).
   */
  private void newestAtStart(Connection c, Map<Long, String> tills, long dbNow)
      throws SQLException {
    Map<Long, Long> bySession = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT session_id, extract(epoch FROM max(date_order)) FROM pos_order"
                + " WHERE state IN "
                + PAID
                + " AND date_order > (to_timestamp(?) AT TIME ZONE 'UTC') GROUP BY session_id")) {
      ps.setDouble(1, (dbNow - LOOKBACK.toMillis()) / 1000.0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          bySession.put(rs.getLong(1), (long) (rs.getDouble(2) * 1000));
        }
      }
    }
    if (bySession.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id, config_id FROM pos_session WHERE id = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("bigint", bySession.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Store s = store(tills, rs.getLong(2));
          if (s != null) {
            s.lastOrderMillis = Math.max(s.lastOrderMillis, bySession.get(rs.getLong(1)));
          }
        }
      }
    }
  }

  /** Orders above the floor not seen yet: paid ones counted, drafts kept to look at again. */
  private void newOrders(Connection c, Map<Long, String> tills, long dbNow) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT o.id, s.config_id, o.state, extract(epoch FROM o.date_order),"
                + " extract(epoch FROM coalesce(o.create_date, o.date_order))"
                + " FROM pos_order o JOIN pos_session s ON s.id = o.session_id"
                + " WHERE o.id > ?")) {
      ps.setLong(1, floor);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rowsRead++;
          long id = rs.getLong(1);
          if (!seen.add(id)) {
            continue;
          }
          String state = rs.getString(3);
          if ("draft".equals(state)) {
            if (drafts.size() < MAX_DRAFTS) {
              drafts.put(id, dbNow);
            }
          } else {
            paid(tills, rs.getLong(2), state, rs.getDouble(4), rs.getDouble(5), dbNow);
          }
        }
      }
    }
  }

  /** Drafts seen earlier: counted once paid, forgotten once cancelled, gone or too old. */
  private void paidDrafts(Connection c, Map<Long, String> tills, long dbNow) throws SQLException {
    drafts.values().removeIf(first -> first < dbNow - DRAFT_LIFE.toMillis());
    if (drafts.isEmpty()) {
      return;
    }
    Set<Long> still = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT o.id, s.config_id, o.state, extract(epoch FROM o.date_order),"
                + " extract(epoch FROM coalesce(o.create_date, o.date_order))"
                + " FROM pos_order o JOIN pos_session s ON s.id = o.session_id"
                + " WHERE o.id = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("bigint", drafts.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rowsRead++;
          long id = rs.getLong(1);
          String state = rs.getString(3);
          if ("draft".equals(state)) {
            still.add(id);
          } else {
            paid(tills, rs.getLong(2), state, rs.getDouble(4), rs.getDouble(5), dbNow);
          }
        }
      }
    }
    drafts.keySet().retainAll(still); // paid, cancelled or deleted: done with
  }

  private Store store(Map<Long, String> tills, long configId) {
    String name = tills.get(configId);
    return name == null ? null : stores.get(name);
  }

  /** A sale that reached the server: counted, its time and its delay kept. */
  private void paid(
      Map<Long, String> tills,
      long configId,
      String state,
      double dateOrder,
      double arrived,
      long dbNow) {
    if (!OdooCollector.POS_PAID_STATES.contains(state)) {
      return; // cancelled
    }
    Store s = store(tills, configId);
    if (s == null) {
      return; // an archived till's
    }
    s.orders++;
    long sold = (long) (dateOrder * 1000);
    s.lastOrderMillis = Math.max(s.lastOrderMillis, sold);
    long at = (long) (arrived * 1000);
    if (at > dbNow - DELAY_WINDOW.toMillis()) {
      s.delays.add(new double[] {at, Math.max(0, arrived - dateOrder)});
    }
  }

  /** Raises the floor to the highest id of each earlier snapshot no transaction can add below. */
  private void advanceFloor(long[] snapshot) {
    checkpoints.add(new long[] {snapshot[2], snapshot[1]});
    long xmin = snapshot[0];
    for (Iterator<long[]> it = checkpoints.iterator(); it.hasNext(); ) {
      long[] k = it.next();
      if (k[1] <= xmin) {
        floor = Math.max(floor, k[0]);
        it.remove();
      }
    }
    seen.removeIf(id -> id <= floor);
  }

  /**
   * Orders per hour each store usually takes in the hour starting at {@code hourStart}: the mean of
   * the same hour in the last {@link #USUAL_WEEKS} weeks that have any order (a shop with less
   * history is judged on what it has), by the date_order index.
   */
  private Map<String, Double> usual(Connection c, Map<Long, String> tills, long hourStart)
      throws SQLException {
    StringBuilder windows = new StringBuilder();
    for (int k = 1; k <= USUAL_WEEKS; k++) {
      windows
          .append(k == 1 ? "" : " OR ")
          .append("(o.date_order >= (to_timestamp(?) AT TIME ZONE 'UTC')")
          .append(" AND o.date_order < (to_timestamp(?) AT TIME ZONE 'UTC'))");
    }
    Map<String, Double> counts = new HashMap<>();
    Set<Long> weeks = new HashSet<>();
    long week = Duration.ofDays(7).toMillis();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.config_id, floor((? - extract(epoch FROM o.date_order)) / ?), count(*)"
                + " FROM pos_order o JOIN pos_session s ON s.id = o.session_id"
                + " WHERE o.state IN "
                + PAID
                + " AND ("
                + windows
                + ") GROUP BY 1, 2")) {
      ps.setDouble(1, (hourStart + 3_600_000L) / 1000.0);
      ps.setDouble(2, week / 1000.0);
      for (int k = 1; k <= USUAL_WEEKS; k++) {
        ps.setDouble(2 * k + 1, (hourStart - k * week) / 1000.0);
        ps.setDouble(2 * k + 2, (hourStart - k * week + 3_600_000L) / 1000.0);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String store = tills.get(rs.getLong(1));
          weeks.add(rs.getLong(2));
          if (store != null) {
            counts.merge(store, rs.getDouble(3), Double::sum);
          }
        }
      }
    }
    Map<String, Double> perHour = new HashMap<>();
    for (String store : stores.keySet()) {
      perHour.put(store, weeks.isEmpty() ? 0.0 : counts.getOrDefault(store, 0.0) / weeks.size());
    }
    return perHour;
  }

  /** Sessions opened and not closed, per store. */
  private static Map<String, Double> openSessions(Connection c, Map<Long, String> tills)
      throws SQLException {
    Map<String, Double> open = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT config_id, count(*) FROM pos_session WHERE state IN "
                    + OPEN_SESSION
                    + " GROUP BY config_id")) {
      while (rs.next()) {
        String store = tills.get(rs.getLong(1));
        if (store != null) {
          open.merge(store, rs.getDouble(2), Double::sum);
        }
      }
    }
    return open;
  }

  private void emit(List<Sample> out, long dbNow, Map<String, Double> sessions) {
    Instant now = Instant.ofEpochMilli(dbNow);
    for (Map.Entry<String, Store> e : stores.entrySet()) {
      String name = e.getKey();
      Store s = e.getValue();
      Labels store = Labels.of("store", name);
      out.add(POS_ORDERS.sample(store, s.orders));
      if (s.lastOrderMillis != Long.MIN_VALUE) {
        out.add(POS_LAST_ORDER_AGE.sample(store, Math.max(0, dbNow - s.lastOrderMillis) / 1000.0));
      }
      while (!s.delays.isEmpty() && s.delays.peek()[0] <= dbNow - DELAY_WINDOW.toMillis()) {
        s.delays.poll();
      }
      if (!s.delays.isEmpty()) {
        double[] d = s.delays.stream().mapToDouble(x -> x[1]).sorted().toArray();
        for (double q : QUANTILES) {
          out.add(
              POS_SYNC_DELAY.sample(
                  Labels.of("store", name, "quantile", q == 1 ? "1" : Double.toString(q)),
                  quantile(d, q)));
        }
      }
      out.add(POS_OPEN_SESSIONS.sample(store, sessions.getOrDefault(name, 0.0)));
      out.add(POS_STORE_OPEN.sample(store, config.hours().open(name, now) ? 1 : 0));
      out.add(POS_USUAL_ORDERS.sample(store, usual.getOrDefault(name, 0.0)));
    }
    out.add(POS_STORES.sample(Labels.empty(), stores.size()));
  }

  /** The {@code q} quantile of sorted values: the smallest value with a share q at or below it. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
