package io.tillwatch.bench;

import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.RenderedReport;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.report.ReportDesk;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.slo.Slo;
import io.tillwatch.slo.SloCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Macro benchmark: rendering the weekly SLO report (figures from the rollups and samples, PNG
 * charts, HTML, PDF, CSV) for one tenant, and the estate's summary for all tenants, on a real
 * PostgreSQL holding 120 days of rollups of the built-in catalogue and 14 days of the agents'
 * metrics (orders, stock-sync queue, WAL archiving, standby streaming, backups, ALERTS) per tenant.
 * Run it with {@code -Xmx256m} (bench/reports.sh): the estate report must fit.
 *
 * <p>Usage: {@code ReportBenchmark [tenants=100]}
 */
public final class ReportBenchmark {
  private static final long STEP_MS = Duration.ofMinutes(5).toMillis();
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private ReportBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    IsoWeek week = IsoWeek.of(LocalDate.now(BERLIN)).plus(-1);
    Map<String, Tenant> estate = new LinkedHashMap<>();
    for (int i = 0; i < tenants; i++) {
      String id = String.format("tenant-%03d", i);
      estate.put(
          id,
          new Tenant(
              id,
              "Retail group " + i,
              i % 2 == 0 ? Tier.DEDICATED : Tier.SHARED,
              ZoneId.of(i % 3 == 0 ? "Europe/Berlin" : "America/New_York"),
              BusinessHours.always()));
    }
    Path work =
        Files.createTempDirectory(
            "tillwatch-report-bench",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
    PostgresServer pg =
        LocalPostgres.open(pgBin, work.resolve("pg"), List.of("shared_buffers=512MB"));
    try {
      pg.execute("CREATE DATABASE bench");
      CollectorConfig config = config(pg);
      SloCatalog catalog = RunningBackend.sloCatalog(config, Files::readString);
      long t0 = System.nanoTime();
      long samples = loadSamples(pg, estate, week);
      long rows = loadRollups(pg, estate, catalog, week);
      System.out.printf(
          Locale.ROOT,
          "%d tenants: %,d samples (14 days a 5 min, ALERTS a minute) and %,d rollup days"
              + " (%d SLOs × 120 days) stored in %.0f s%n",
          tenants,
          samples,
          rows,
          catalog.slos().size(),
          (System.nanoTime() - t0) / 1e9);
      try (ReportDesk desk =
          ReportDesk.open(
              config,
              config.storage().url().orElseThrow(),
              config.storage().user(),
              config.storage().password(),
              RunningBackend.ruleGroups(config, Files::readString, estate),
              catalog,
              estate,
              Clock.systemUTC())) {
        List<String> ids = new ArrayList<>(estate.keySet());
        desk.render(ids.get(0), week); // the JVM compiles its hot paths
        double[] ms = new double[Math.min(10, ids.size())];
        RenderedReport last = null;
        for (int i = 0; i < ms.length; i++) {
          long s = System.nanoTime();
          last = desk.render(ids.get(i), week);
          ms[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(
            Locale.ROOT,
            "one tenant's report (figures, %d PNG charts, HTML, %d-page PDF of %,d bytes, CSV):"
                + " median %.0f ms, max %.0f ms over %d tenants%n",
            last.images().size(),
            pages(last.pdf()),
            last.pdf().length,
            ms[ms.length / 2],
            ms[ms.length - 1],
            ms.length);

        System.gc();
        resetPeaks();
        long s = System.nanoTime();
        RenderedReport e = desk.render("estate", week);
        double estateS = (System.nanoTime() - s) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "the estate's report (%d tenants, %d SLO lines, %d-page PDF of %,d bytes): %.1f s;"
                + " peak heap %.0f MB of -Xmx %.0f MB%n",
            tenants,
            e.csv().values().iterator().next().split("\r\n").length - 1,
            pages(e.pdf()),
            e.pdf().length,
            estateS,
            peakHeap() / 1e6,
            Runtime.getRuntime().maxMemory() / 1e6);
      }
    } finally {
      pg.close();
      io.tillwatch.localpg.Processes.deleteTree(work);
    }
  }

  private static int pages(byte[] pdf) throws Exception {
    try (var d = org.apache.pdfbox.Loader.loadPDF(pdf)) {
      return d.getNumberOfPages();
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static CollectorConfig config(PostgresServer pg) {
    return new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            BenchStorage.of(pg),
            Duration.ofHours(1),
            List.of(new TokenGrant(Secret.of("bench-token-0123456789"), Set.of("*"))),
            1_000_000,
            List.of(),
            true,
            Duration.ofMinutes(1),
            AlertingConfig.NONE,
            QueryConfig.DEFAULT,
            List.of())
        .withBuiltinSlos(true);
  }

  /** Two weeks of the agents' metrics per tenant, and an hour of a firing alert in the week. */
  private static long loadSamples(PostgresServer pg, Map<String, Tenant> estate, IsoWeek week)
      throws Exception {
    long end = week.end(BERLIN).toEpochMilli();
    long start = end - Duration.ofDays(14).toMillis();
    long written = 0;
    try (PgStore store =
        PgStore.open(
            pg.jdbcUrl("bench"),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(400))) {
      SampleBatch batch = new SampleBatch();
      int i = 0;
      for (String id : estate.keySet()) {
        Series orders = new Series("tillwatch_odoo_orders_total", Labels.of("tenant", id));
        Series queue =
            new Series(
                "tillwatch_odoo_queue_jobs",
                Labels.of("channel", "root.stock", "state", "pending", "tenant", id));
        Series archived =
            new Series("tillwatch_pg_wal_last_archived_age_seconds", Labels.of("tenant", id));
        Series streaming =
            new Series("tillwatch_pg_replication_streaming", Labels.of("tenant", id));
        Series backup =
            new Series("tillwatch_backup_last_success_timestamp_seconds", Labels.of("tenant", id));
        long k = 0;
        for (long t = start; t <= end; t += STEP_MS, k++) {
          batch.add(orders, id, t, k * (3 + i % 5), false);
          batch.add(queue, id, t, (k * 7 + i) % 60, false);
          batch.add(archived, id, t, (k * 13 + i) % 240, false);
          batch.add(streaming, id, t, k % 97 == 0 ? 0 : 1, false);
          batch.add(backup, id, t, (t - (t % 86_400_000L)) / 1000.0, false);
        }
        Series alert =
            new Series(
                "ALERTS",
                Labels.of(
                    "alertname",
                    "StockSyncStalled",
                    "alertstate",
                    "firing",
                    "severity",
                    "page",
                    "tenant",
                    id));
        long from = week.start(BERLIN).toEpochMilli() + Duration.ofHours(30 + i % 100).toMillis();
        for (int m = 0; m < 60; m++) {
          batch.add(alert, id, from + m * 60_000L, 1, false);
        }
        if (batch.size() >= 50_000) {
          store.write(List.of(batch));
          written += batch.size();
          batch = new SampleBatch();
        }
        i++;
      }
      store.write(List.of(batch));
      written += batch.size();
    }
    pg.executeIn("bench", "VACUUM ANALYZE");
    return written;
  }

  /** 120 days of daily good/total counts of every SLO per tenant, a bad day now and then. */
  private static long loadRollups(
      PostgresServer pg, Map<String, Tenant> estate, SloCatalog catalog, IsoWeek week)
      throws Exception {
    Properties p = new Properties();
    p.setProperty("user", PostgresServer.SUPERUSER);
    p.setProperty("password", pg.superuserPassword());
    long rows = 0;
    LocalDate last = week.sunday().plusDays(1);
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("bench"), p);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO slo_daily (slo, variant, tenant, day, good, total)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
      int i = 0;
      for (String id : estate.keySet()) {
        int j = 0;
        for (Slo slo : catalog.slos()) {
          for (int d = 0; d < 120; d++) {
            LocalDate day = last.minusDays(d);
            double total = 1440;
            double bad = (d * 31 + i * 7 + j * 13) % 17 == 0 ? 40 : (d + i + j) % 3;
            ps.setString(1, slo.name());
            ps.setString(2, slo.name());
            ps.setString(3, id);
            ps.setObject(4, day);
            ps.setDouble(5, total - bad);
            ps.setDouble(6, total);
            ps.addBatch();
            rows++;
          }
          j++;
        }
        ps.executeBatch();
        i++;
      }
    }
    return rows;
  }
}
