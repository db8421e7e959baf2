package io.tillwatch.bench;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.odoo.OdooCollector;
import io.tillwatch.config.Interpolation;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Sample;
import io.tillwatch.sandbox.FiftyStores;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PosWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One Odoo scrape with {@code stores: true} over a shop of many stores and millions of POS orders:
 * the first scrape (each store's newest sale, the usual rate of the hour) and the steady ones (a
 * minute's new orders of every store), timed, with the order rows each reads; then the plans of its
 * queries, as {@code auto_explain} logs them. {@code StoresScrapeBenchmark [stores] [orders per
 * till per day] [days] [scrapes]}.
 */
public final class StoresScrapeBenchmark {
  private StoresScrapeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int stores = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int perDay = args.length > 1 ? Integer.parseInt(args[1]) : 14;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 365;
    int scrapes = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Path home = Files.createTempDirectory("tillwatch-stores-bench");
    PostgresServer pg =
        LocalPostgres.open(pgBin, home, List.of("shared_buffers=256MB", "max_wal_size=4GB"));
    try {
      pg.createMonitorRole("monitor", "m0nitor-secret");
      OdooDatabase.create(pg, "shop", 17, "monitor");
      long built = System.nanoTime();
      PosWorkload w;
      try (Connection c = pg.connect("shop")) {
        Instant now = Instant.now();
        w = PosWorkload.on(c);
        for (int i = 1; i <= stores; i++) {
          w.store(String.format("Store %03d", i), 1, now.minus(Duration.ofHours(3)));
        }
        try (Statement st = c.createStatement()) {
          // a closed session a day per till, and its orders every half hour from 08:00
          st.execute(
              ("INSERT INTO pos_session (name, config_id, user_id, state, start_at, stop_at, rescue)"
                      + " SELECT 'POS/' || c.id || '/' || d, c.id, 2, 'closed',"
                      + " date_trunc('day', now() AT TIME ZONE 'UTC') - d * interval '1 day'"
                      + " + interval '8 hours', date_trunc('day', now() AT TIME ZONE 'UTC')"
                      + " - d * interval '1 day' + interval '20 hours', false"
                      + " FROM pos_config c, generate_series(1, %d) d")
                  .formatted(days));
          st.execute(
              ("INSERT INTO pos_order (name, state, date_order, company_id, session_id,"
                      + " amount_total, create_date, write_date, config_id)"
                      + " SELECT 'Order ' || s.id || '-' || k, 'done',"
                      + " s.start_at + k * interval '50 minutes',"
                      + " 1, s.id, 10, s.start_at + k * interval '50 minutes' + interval '2 seconds',"
                      + " s.start_at + k * interval '50 minutes' + interval '2 seconds', s.config_id"
                      + " FROM pos_session s, generate_series(1, %d) k WHERE s.state = 'closed'")
                  .formatted(perDay));
          st.execute("ANALYZE");
        }
        System.out.printf(
            Locale.ROOT,
            "shop: %d stores, %d POS orders, %d sessions (built in %.0f s)%n",
            stores,
            count(c, "pos_order"),
            count(c, "pos_session"),
            (System.nanoTime() - built) / 1e9);
        Path estate = home.resolve("estate.yaml");
        Files.writeString(
            estate, "tenants:\n" + FiftyStores.tenantYaml("acme", "shop", pg.jdbcUrl("shop"), ""));
        OdooTargetConfig target =
            (OdooTargetConfig)
                new EstateConfigLoader(new Interpolation(System::getenv, Files::readString))
                    .load(estate)
                    .tenants()
                    .getFirst()
                    .targets()
                    .getFirst();
        run(target, c, w, stores, scrapes);
        // the same queries' plans, as the server ran them
        pg.execute("ALTER ROLE monitor SET session_preload_libraries = 'auto_explain'");
        pg.execute("ALTER ROLE monitor SET auto_explain.log_min_duration = 0");
        pg.execute("ALTER ROLE monitor SET auto_explain.log_analyze = on");
        int logFrom = pg.log().length();
        run(target, c, w, stores, 2);
        System.out.println("\nplans of the per-store queries (auto_explain):");
        for (String block : pg.log().substring(logFrom).split("(?m)^(?=\\S.*LOG:  duration)")) {
          if (block.contains("pos_") && block.contains("Query Text")) {
            System.out.println(block.strip());
            System.out.println();
          }
        }
      }
    } finally {
      pg.close();
    }
  }

  /** A first scrape, then {@code scrapes} each after a minute's orders of every store. */
  private static void run(
      OdooTargetConfig target, Connection c, PosWorkload w, int stores, int scrapes)
      throws Exception {
    try (OdooCollector collector =
        new OdooCollector(target, Duration.ofSeconds(60), Runnable::run)) {
      long start = System.nanoTime();
      List<Sample> first = scrape(collector);
      System.out.printf(
          Locale.ROOT,
          "first scrape: %.1f ms, %d samples%n",
          (System.nanoTime() - start) / 1e6,
          first.size());
      double[] millis = new double[scrapes];
      long[] rows = new long[scrapes];
      for (int i = 0; i < scrapes; i++) {
        List<PosWorkload.Order> minute = new ArrayList<>();
        Instant now = Instant.now();
        for (int s = 1; s <= stores; s++) {
          minute.add(
              new PosWorkload.Order(
                  String.format("Store %03d", s), "paid", now.minusSeconds(3), now));
        }
        w.orders(minute);
        long read = collector.storesRowsRead();
        long t = System.nanoTime();
        scrape(collector);
        millis[i] = (System.nanoTime() - t) / 1e6;
        rows[i] = collector.storesRowsRead() - read;
      }
      if (scrapes > 0) {
        Arrays.sort(millis);
        System.out.printf(
            Locale.ROOT,
            "steady scrapes (%d new orders each): median %.1f ms, p90 %.1f ms, max %.1f ms;"
                + " order rows read per scrape: min %d, max %d%n",
            stores,
            millis[scrapes / 2],
            millis[(int) Math.ceil(scrapes * 0.9) - 1],
            millis[scrapes - 1],
            Arrays.stream(rows).min().orElse(0),
            Arrays.stream(rows).max().orElse(0));
      }
    }
  }

  private static List<Sample> scrape(OdooCollector collector) throws Exception {
    return collector.collect().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static long count(Connection c, String table) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
