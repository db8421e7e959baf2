package io.tillwatch.agent.odoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.config.Interpolation;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Sample;
import io.tillwatch.sandbox.FiftyStores;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PosWorkload;
import io.tillwatch.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-store point-of-sale signals over an Odoo 16 and an Odoo 17 database of 50 stores selling at
 * different rates: every value against SQL written here from the rows alone.
 */
class PosStoresIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeAll
  static void monitorRole() {
    PG.server().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
  }

  static final String SILENT = FiftyStores.SILENT;
  static final String LATE = FiftyStores.LATE;
  static final String CLOSED = FiftyStores.CLOSED;
  static final String QUIET = FiftyStores.QUIET;
  static final String TWO_TILLS = FiftyStores.TWO_TILLS;

  static String store(int i) {
    return FiftyStores.store(i);
  }

  /**
   * The estate file of one tenant: {@code CLOSED} trades only at hours that are not now (in its own
   * time zone), every other store in the tenant's hours (always).
   */
  private OdooTargetConfig target(PostgresServer pg, String db, String extra) throws Exception {
    Path estate = dir.resolve(db + ".yaml");
    Files.writeString(
        estate, "tenants:\n" + FiftyStores.tenantYaml("acme", "odoo", pg.jdbcUrl(db), extra));
    EstateConfig config =
        new EstateConfigLoader(new Interpolation(System::getenv, Files::readString)).load(estate);
    return (OdooTargetConfig) config.tenants().getFirst().targets().getFirst();
  }

  static List<Sample> scrape(OdooCollector collector) throws Exception {
    return collector.collect().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static Map<String, Double> byStore(List<Sample> samples, String metric, String... more) {
    Map<String, Double> out = new HashMap<>();
    for (Sample s : samples) {
      if (!s.name().equals(metric)) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < more.length; i += 2) {
        match &= more[i + 1].equals(s.labels().get(more[i]));
      }
      if (match) {
        out.put(s.labels().get("store"), s.value());
      }
    }
    return out;
  }

  /** The new orders between two scrapes; one of them a draft paid later. */
  static List<Long> moreOrders(PosWorkload w, Instant now) throws Exception {
    List<PosWorkload.Order> orders = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      String s = store(i);
      if (s.equals(SILENT) || s.equals(CLOSED) || s.equals(QUIET)) {
        continue;
      }
      for (int k = 0; k < i % 4 + 1; k++) {
        Instant sold = now.minusSeconds(30 + k);
        Instant at = s.equals(LATE) ? sold.plus(Duration.ofMinutes(20)) : sold.plusSeconds(1);
        if (s.equals(LATE)) {
          sold = now.minus(Duration.ofMinutes(20)).minusSeconds(k);
          at = now.minusSeconds(k);
        }
        orders.add(new PosWorkload.Order(s, "paid", sold, at));
      }
    }
    // a till back from an hour offline: its orders rang long ago arrive now (a date_order
    // watermark would miss them)
    for (int k = 0; k < 5; k++) {
      orders.add(
          new PosWorkload.Order(
              store(3), "paid", now.minus(Duration.ofMinutes(70 - k)), now.minusSeconds(5)));
    }
    orders.add(new PosWorkload.Order(store(2), "cancel", now, now));
    orders.add(new PosWorkload.Order(store(2), "draft", now.minusSeconds(20), now));
    return w.orders(orders);
  }

  @ParameterizedTest(name = "Odoo {0}")
  @ValueSource(ints = {16, 17})
  @Timeout(180)
  void everyStoreSignalEqualsWhatTheRowsSay(int major) throws Exception {
    PostgresServer pg = PG.server();
    String db = "stores" + major;
    OdooDatabase.create(pg, db, major, TestAgents.MONITOR);
    try (Connection c = pg.connect(db)) {
      Instant now = dbNow(c);
      PosWorkload w = FiftyStores.create(c, now, java.util.Set.of(SILENT, CLOSED));
      OdooCollector collector =
          new OdooCollector(target(pg, db, ""), Duration.ofSeconds(30), Runnable::run);
      try {
        List<Sample> first = scrape(collector);
        long startId = (long) single(c, "SELECT max(id) FROM pos_order");
        // at start: no order counted yet, each store's newest sale and usual rate known
        assertThat(byStore(first, "tillwatch_odoo_pos_orders_total"))
            .hasSize(50)
            .containsValue(0.0);
        assertThat(byStore(first, "tillwatch_odoo_pos_orders_total").values())
            .allMatch(v -> v == 0);
        List<Long> added = moreOrders(w, dbNow(c));
        w.pay(added.getLast(), dbNow(c));
        List<Sample> second = scrape(collector);
        Instant at = dbNow(c);

        Map<String, Double> counted = byStore(second, "tillwatch_odoo_pos_orders_total");
        Map<String, Double> truth =
            perStore(
                c,
                "SELECT w.name, count(*) FROM pos_order o"
                    + JOINS
                    + " WHERE o.id > "
                    + startId
                    + " AND o.state IN ('paid', 'done', 'invoiced') GROUP BY w.name");
        assertThat(counted).hasSize(50);
        for (int i = 1; i <= 50; i++) {
          assertThat(counted.get(store(i)))
              .as(store(i))
              .isEqualTo(truth.getOrDefault(store(i), 0.0));
        }
        assertThat(counted.get(store(3))).isEqualTo(3 % 4 + 1 + 5); // the late arrivals too
        assertThat(counted.get(store(2))).isEqualTo(2 % 4 + 1 + 1); // the paid draft, once

        Map<String, Double> age = byStore(second, "tillwatch_odoo_pos_last_order_age_seconds");
        Map<String, Double> newest =
            perStore(
                c,
                "SELECT w.name, extract(epoch FROM (now() AT TIME ZONE 'UTC') - max(o.date_order))"
                    + " FROM pos_order o"
                    + JOINS
                    + " WHERE o.state IN ('paid', 'done', 'invoiced') GROUP BY w.name");
        for (int i = 1; i <= 50; i++) {
          assertThat(age.get(store(i))).as(store(i)).isCloseTo(newest.get(store(i)), within(5.0));
        }
        assertThat(age.get(SILENT)).isGreaterThan(45 * 60.0);

        // sync delay of the orders that reached the server in the last 15 minutes, counted
        for (String q : List.of("0.5", "0.9", "1")) {
          Map<String, Double> delay =
              byStore(second, "tillwatch_odoo_pos_sync_delay_seconds", "quantile", q);
          Map<String, Double> expected =
              perStore(
                  c,
                  ("SELECT w.name, extract(epoch FROM percentile_disc(%s) WITHIN GROUP"
                          + " (ORDER BY o.create_date - o.date_order)) FROM pos_order o"
                          + JOINS
                          + " WHERE o.id > %d AND o.state IN ('paid', 'done', 'invoiced')"
                          + " AND o.create_date > (to_timestamp(%f) AT TIME ZONE 'UTC') GROUP BY"
                          + " w.name")
                      .formatted(q, startId, (at.toEpochMilli() - 15 * 60_000L) / 1000.0));
          assertThat(delay.keySet()).as(q).isEqualTo(expected.keySet());
          expected.forEach(
              (store, v) ->
                  assertThat(delay.get(store)).as(store + " " + q).isCloseTo(v, within(1e-6)));
        }
        assertThat(byStore(second, "tillwatch_odoo_pos_sync_delay_seconds", "quantile", "0.5"))
            .hasEntrySatisfying(LATE, v -> assertThat(v).isCloseTo(1200.0, within(1e-6)))
            .doesNotContainKey(SILENT);

        // usual orders this hour: the mean of the same hour of the last four weeks with orders
        Map<String, Double> usual = byStore(second, "tillwatch_odoo_pos_usual_orders_per_hour");
        long hourStart = at.toEpochMilli() / 3_600_000L * 3_600_000L;
        StringBuilder hours = new StringBuilder();
        for (int k = 1; k <= 4; k++) {
          long from = hourStart - k * Duration.ofDays(7).toMillis();
          hours.append(
              (k > 1 ? " OR " : "")
                  + "o.date_order >= (to_timestamp(%d) AT TIME ZONE 'UTC') AND o.date_order <"
                      .formatted(from / 1000)
                  + " (to_timestamp(%d) AT TIME ZONE 'UTC')".formatted((from + 3_600_000L) / 1000));
        }
        Map<String, Double> sameHour =
            perStore(
                c,
                "SELECT w.name, count(*) / 4.0 FROM pos_order o"
                    + JOINS
                    + " WHERE o.state IN ('paid', 'done', 'invoiced') AND ("
                    + hours
                    + ") GROUP BY w.name");
        for (int i = 1; i <= 50; i++) {
          assertThat(usual.get(store(i)))
              .as(store(i))
              .isEqualTo(sameHour.getOrDefault(store(i), 0.0));
        }
        assertThat(usual.get(QUIET)).isEqualTo(0.5);

        Map<String, Double> sessions = byStore(second, "tillwatch_odoo_pos_open_sessions");
        assertThat(sessions.get(TWO_TILLS)).isEqualTo(2);
        assertThat(sessions.values().stream().mapToDouble(Double::doubleValue).sum())
            .isEqualTo(
                single(
                    c,
                    "SELECT count(*) FROM pos_session WHERE state IN ('opening_control', 'opened',"
                        + " 'closing_control')"));
        Map<String, Double> open = byStore(second, "tillwatch_odoo_pos_store_open");
        assertThat(open.get(CLOSED)).isZero();
        assertThat(open.entrySet().stream().filter(e -> e.getValue() == 1)).hasSize(49);

        // nothing new: nothing counted twice, and only the rows in flight read again
        long read = collector.storesRowsRead();
        List<Sample> third = scrape(collector);
        assertThat(byStore(third, "tillwatch_odoo_pos_orders_total")).isEqualTo(counted);
        assertThat(collector.storesRowsRead() - read).isLessThanOrEqualTo(added.size());
        List<Sample> fourth = scrape(collector);
        assertThat(byStore(fourth, "tillwatch_odoo_pos_orders_total")).isEqualTo(counted);
        long idle = collector.storesRowsRead();
        scrape(collector);
        assertThat(collector.storesRowsRead()).isEqualTo(idle);
      } finally {
        collector.close();
      }
    }
  }

  @Test
  @Timeout(120)
  void moreStoresThanMaxStoresFailTheScrapeAndSaySo() throws Exception {
    PostgresServer pg = PG.server();
    OdooDatabase.create(pg, "many", 17, TestAgents.MONITOR);
    try (Connection c = pg.connect("many")) {
      PosWorkload w = PosWorkload.on(c);
      for (int i = 1; i <= 12; i++) {
        w.store(store(i), 1, Instant.now());
      }
      OdooCollector limited =
          new OdooCollector(
              target(pg, "many", "max_stores: 10"), Duration.ofSeconds(30), Runnable::run);
      assertThatThrownBy(() -> scrape(limited))
          .hasMessageContaining("12 stores (by warehouse) are more than max_stores 10");
      limited.close();
      // each till its own store, two of them one store by name: 11 of 12 within 11
      OdooCollector mapped =
          new OdooCollector(
              target(
                  pg,
                  "many",
                  """
                  max_stores: 11
                  store_by: till
                  tills: {"Store 02 till 1": "Store 01 till 1"}
                  """),
              Duration.ofSeconds(30),
              Runnable::run);
      assertThat(byStore(scrape(mapped), "tillwatch_odoo_pos_store_open"))
          .hasSize(11)
          .containsKey("Store 01 till 1")
          .doesNotContainKey("Store 02 till 1");
      mapped.close();
    }
  }

  static final String JOINS =
      " JOIN pos_session s ON s.id = o.session_id JOIN pos_config c ON c.id = s.config_id"
          + " JOIN stock_picking_type t ON t.id = c.picking_type_id"
          + " JOIN stock_warehouse w ON w.id = t.warehouse_id";

  static Instant dbNow(Connection c) throws Exception {
    return Instant.ofEpochMilli((long) (single(c, "SELECT extract(epoch FROM now())") * 1000));
  }

  static double single(Connection c, String sql) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  static Map<String, Double> perStore(Connection c, String sql) throws Exception {
    Map<String, Double> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getDouble(2));
      }
    }
    return out;
  }
}
