package io.tillwatch.sandbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores of an Odoo database made as Odoo makes them (a database made by {@link OdooDatabase}): a
 * company, per store a warehouse, its point-of-sale operation type and its tills ({@code
 * pos.config}), each till with an open session; and their orders, paid at the till at {@code
 * date_order} and reaching the server at {@code create_date} (UTC, without time zone, as Odoo).
 */
public final class PosWorkload {
  private final Connection c;
  private final boolean configOnOrder; // Odoo 17 stores the till on the order too
  private final Map<String, List<long[]>> tills =
      new LinkedHashMap<>(); // store -> {config, session}
  private int sequence;

  private PosWorkload(Connection c, boolean configOnOrder) {
    this.c = c;
    this.configOnOrder = configOnOrder;
  }

  /** The stores of the database behind {@code c}: none yet. */
  public static PosWorkload on(Connection c) throws SQLException {
    boolean configOnOrder;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM information_schema.columns"
                    + " WHERE table_name = 'pos_order' AND column_name = 'config_id'")) {
      rs.next();
      configOnOrder = rs.getInt(1) > 0;
    }
    return new PosWorkload(c, configOnOrder);
  }

  /** A store (its warehouse) with {@code tills} tills, each with a session opened at {@code at}. */
  public PosWorkload store(String name, int tillCount, Instant opened) throws SQLException {
    long company = company();
    long warehouse =
        insert(
            "INSERT INTO stock_warehouse (name, code, company_id, active) VALUES (?, ?, ?, true)",
            name,
            "W" + (++sequence),
            company);
    long pickingType =
        insert(
            "INSERT INTO stock_picking_type (name, code, warehouse_id, company_id)"
                + " VALUES ('PoS Orders', 'outgoing', ?, ?)",
            warehouse,
            company);
    List<long[]> mine = new ArrayList<>();
    for (int i = 1; i <= tillCount; i++) {
      long config =
          insert(
              "INSERT INTO pos_config (name, company_id, picking_type_id, active)"
                  + " VALUES (?, ?, ?, true)",
              name + " till " + i,
              company,
              pickingType);
      long session =
          insert(
              "INSERT INTO pos_session (name, config_id, user_id, state, start_at, rescue)"
                  + " VALUES (?, ?, 2, 'opened', ?, false)",
              "POS/" + config + "/" + opened.getEpochSecond(),
              config,
              utc(opened));
      mine.add(new long[] {config, session});
    }
    tills.put(name, mine);
    return this;
  }

  /** The store's tills' {@code pos_config} ids. */
  public List<Long> tills(String store) {
    return tills.get(store).stream().map(t -> t[0]).toList();
  }

  /** The names of the stores, in the order made. */
  public List<String> stores() {
    return List.copyOf(tills.keySet());
  }

  /** An order of {@code store}'s first till: rung at {@code sold}, on the server at {@code at}. */
  public record Order(String store, String state, Instant sold, Instant at) {}

  /** Inserts orders in one batch, each on its store's tills in turn; their ids, in order. */
  public List<Long> orders(List<Order> orders) throws SQLException {
    String sql =
        "INSERT INTO pos_order (name, state, date_order, company_id, session_id, amount_total,"
            + " create_date, write_date"
            + (configOnOrder ? ", config_id" : "")
            + ") VALUES (?, ?, ?, ?, ?, 10, ?, ?"
            + (configOnOrder ? ", ?" : "")
            + ")";
    List<Long> ids = new ArrayList<>();
    long company = company();
    try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      int n = 0;
      for (Order o : orders) {
        List<long[]> t = tills.get(o.store());
        long[] till = t.get(n++ % t.size());
        ps.setString(1, "Order " + (++sequence));
        ps.setString(2, o.state());
        ps.setTimestamp(3, utc(o.sold()));
        ps.setLong(4, company);
        ps.setLong(5, till[1]);
        ps.setTimestamp(6, utc(o.at()));
        ps.setTimestamp(7, utc(o.at()));
        if (configOnOrder) {
          ps.setLong(8, till[0]);
        }
        ps.addBatch();
      }
      ps.executeBatch();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        while (keys.next()) {
          ids.add(keys.getLong(1));
        }
      }
    }
    return ids;
  }

  /**
   * A draft order (a restaurant's open table) paid now: state {@code paid}, written at {@code at}.
   */
  public void pay(long order, Instant at) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE pos_order SET state = 'paid', write_date = ? WHERE id = ?")) {
      ps.setTimestamp(1, utc(at));
      ps.setLong(2, order);
      ps.executeUpdate();
    }
  }

  private long companyId = -1;

  private long company() throws SQLException {
    if (companyId < 0) {
      companyId = insert("INSERT INTO res_company (name) VALUES ('Retail Group')");
    }
    return companyId;
  }

  private long insert(String sql, Object... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql + " RETURNING id")) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Odoo's datetime: UTC, without time zone. */
  public static Timestamp utc(Instant at) {
    return Timestamp.valueOf(at.atOffset(ZoneOffset.UTC).toLocalDateTime());
  }
}
