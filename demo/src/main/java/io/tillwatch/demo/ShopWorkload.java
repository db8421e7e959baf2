package io.tillwatch.demo;

import io.tillwatch.localpg.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's shop on an Odoo-shaped database: sale and POS orders come in, stock-sync and sale jobs
 * flow through queue_job (pending, enqueued, started, done), some fail, and every three minutes the
 * stock-sync channel stalls for a minute, as after a worker crash. Old done jobs are deleted, as
 * Odoo's autovacuum does.
 */
final class ShopWorkload {
  private static final long CYCLE_MS = 180_000;
  private static final long STALL_MS = 60_000;
  private static final String UTC = "(now() AT TIME ZONE 'UTC')";

  private final PostgresServer server;
  private final String database;
  private final Thread thread;
  private volatile boolean running = true;

  /** The shop's stores (warehouses), each with a till. */
  static final List<String> STORES = List.of("Lyon", "Nice", "Paris");

  private ShopWorkload(PostgresServer server, String database) {
    this.server = server;
    this.database = database;
    this.thread = Thread.ofVirtual().name("demo-shop").unstarted(this::run);
  }

  static ShopWorkload start(PostgresServer server, String database) {
    ShopWorkload w = new ShopWorkload(server, database);
    w.thread.start();
    return w;
  }

  private void run() {
    long started = System.currentTimeMillis();
    try (Connection c = server.connect(database)) {
      // three stores of one till each: their sales are the point-of-sale orders
      io.tillwatch.sandbox.PosWorkload tills = io.tillwatch.sandbox.PosWorkload.on(c);
      java.time.Instant opened = java.time.Instant.now();
      for (String store : STORES) {
        tills.store(store, 1, opened);
      }
      while (running) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        boolean stalled = (System.currentTimeMillis() - started) % CYCLE_MS >= CYCLE_MS - STALL_MS;
        if (r.nextInt(3) == 0) {
          order(c, "sale_order", "sale", ", locked", ", true");
        }
        if (r.nextInt(2) == 0) {
          java.time.Instant now = java.time.Instant.now();
          tills.orders(
              List.of(
                  new io.tillwatch.sandbox.PosWorkload.Order(
                      STORES.get(r.nextInt(STORES.size())), "paid", now, now)));
        }
        enqueue(c, "root.stock_sync", "<product.product>.sync_stock", 1 + r.nextInt(3));
        enqueue(c, "root.sale", "<sale.order>.send_confirmation", r.nextInt(2));
        if (!stalled) {
          advance(c, "root.stock_sync", 3);
        }
        advance(c, "root.sale", 2);
        if (r.nextInt(40) == 0) {
          fail(c, stalled ? "root.sale" : "root.stock_sync");
        }
        if (r.nextInt(30) == 0) {
          update(
              c,
              "DELETE FROM queue_job WHERE state = 'done' AND date_done < "
                  + UTC
                  + " - interval '5 minutes'");
        }
        Thread.sleep(1000);
      }
    } catch (SQLException | RuntimeException e) {
      if (running) {
        System.err.println("demo shop workload stopped: " + Workload.firstLine(e));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void order(
      Connection c, String table, String state, String extraColumn, String extraValue)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (name, state, date_order, company_id, amount_total"
                + extraColumn
                + ")"
                + " VALUES (?, ?, "
                + UTC
                + ", 1, ?"
                + extraValue
                + ")")) {
      ps.setString(
          1, table.startsWith("pos") ? "POS/" + System.nanoTime() : "S" + System.nanoTime());
      ps.setString(2, state);
      ps.setBigDecimal(
          3, java.math.BigDecimal.valueOf(ThreadLocalRandom.current().nextInt(500, 20_000), 2));
      ps.executeUpdate();
    }
  }

  private static void enqueue(Connection c, String channel, String method, int n)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO queue_job (uuid, channel, state, date_created, channel_method_name, model_name,"
                + " method_name, retry, max_retries) SELECT gen_random_uuid()::text, ?, 'pending', "
                + UTC
                + ", ?, 'x', 'y', 0, 5 FROM generate_series(1, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, method);
      ps.setInt(3, n);
      ps.executeUpdate();
    }
  }

  /** Moves the oldest jobs one step: started to done, enqueued to started, pending to enqueued. */
  private static void advance(Connection c, String channel, int n) throws SQLException {
    step(c, channel, n, "started", "done", "date_done");
    step(c, channel, n, "enqueued", "started", "date_started");
    step(c, channel, n, "pending", "enqueued", "date_enqueued");
  }

  private static void step(
      Connection c, String channel, int n, String from, String to, String column)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE queue_job SET state = ?, "
                + column
                + " = "
                + UTC
                + " WHERE id IN (SELECT id FROM queue_job WHERE channel = ? AND state = ? ORDER BY id LIMIT ?)")) {
      ps.setString(1, to);
      ps.setString(2, channel);
      ps.setString(3, from);
      ps.setInt(4, n);
      ps.executeUpdate();
    }
  }

  private static void fail(Connection c, String channel) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE queue_job SET state = 'failed', exc_name = 'odoo.exceptions.UserError',"
                + " exc_message = 'Warehouse API timed out' WHERE id IN (SELECT id FROM queue_job"
                + " WHERE channel = ? AND state IN ('started', 'enqueued') ORDER BY id LIMIT 1)")) {
      ps.setString(1, channel);
      ps.executeUpdate();
    }
  }

  private static void update(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
