package io.tillwatch.bench;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.collector.store.Compaction;
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
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.PrometheusServer;
import io.tillwatch.slo.SloRules;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Macro benchmark: one SLO evaluation cycle of the built-in catalogue for many tenants with 28 days
 * of history, tillwatch's collector against Prometheus 2.42 evaluating the rules {@code slo
 * generate --builtin} writes, on the same samples (Prometheus's imported with {@code promtool tsdb
 * create-blocks-from openmetrics}); then the rollups' first count and {@code /api/v1/slos}.
 *
 * <p>Every tenant has the nine series the catalogue reads, one sample a minute: Traefik requests by
 * code, the access-log latency histogram's 1 s bucket and count, the oldest pending stock job,
 * backup age, standby streaming, WAL archiving failures, orders. The samples run to a quarter of an
 * hour past the start, so both engines see current data while they evaluate.
 *
 * <p>Usage: {@code SloBenchmark [tenants=100] [days=28]}
 */
public final class SloBenchmark {
  private static final String TOKEN = "bench-token-0123456789";
  private static final long STEP_MS = 60_000L;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private SloBenchmark() {}

  private record Metric(String name, Labels extra, boolean counter) {}

  private static final List<Metric> METRICS =
      List.of(
          new Metric("traefik_service_requests_total", Labels.of("code", "200"), true),
          new Metric("traefik_service_requests_total", Labels.of("code", "502"), true),
          new Metric("tillwatch_http_request_duration_seconds_bucket", Labels.of("le", "1"), true),
          new Metric("tillwatch_http_request_duration_seconds_count", Labels.empty(), true),
          new Metric(
              "tillwatch_odoo_queue_oldest_age_seconds",
              Labels.of(Map.of("channel", "root.stock", "state", "pending")),
              false),
          new Metric("tillwatch_backup_age_seconds", Labels.of("type", "full"), false),
          new Metric("tillwatch_pg_standby_stream_up", Labels.empty(), false),
          new Metric("tillwatch_pg_wal_archive_failed_total", Labels.empty(), true),
          new Metric("tillwatch_odoo_orders_total", Labels.empty(), true));

  private static String tenant(int i) {
    return String.format(Locale.ROOT, "t%03d", i);
  }

  /** Deterministic values with outages: every tenant burns some budget on some days. */
  private static double value(int metric, int tenant, long k) {
    boolean outage = (k + tenant * 37L) % 5_000 < 20; // 20 minutes every ~3.5 days
    return switch (metric) {
      case 0 -> k * 100.0;
      case 1 -> (k / 5_000) * 20 * (2 + tenant % 5) + (outage ? (k + tenant * 37L) % 5_000 : 0);
      case 2 -> k * 97.0;
      case 3 -> k * 100.0;
      case 4 -> outage ? 900 : 20 + (k % 7);
      case 5 -> (k % 1440) * 60.0;
      case 6 -> outage && tenant % 4 == 0 ? 0 : 1;
      case 7 -> (k / 5_000) * (tenant % 2);
      default -> k * 3.0;
    };
  }

  private static Labels labels(int metric, int tenant) {
    Map<String, String> m = new TreeMap<>(METRICS.get(metric).extra().asMap());
    m.put("tenant", tenant(tenant));
    if (metric < 2) {
      m.put("service", "odoo-" + tenant(tenant) + "@kubernetes");
    }
    return Labels.of(m);
  }

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 28;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    long end = (System.currentTimeMillis() + Duration.ofMinutes(15).toMillis()) / STEP_MS * STEP_MS;
    long start = end - Duration.ofDays(days).toMillis();
    Map<String, Tenant> estate = new LinkedHashMap<>();
    for (int i = 0; i < tenants; i++) {
      estate.put(
          tenant(i),
          new Tenant(
              tenant(i),
              tenant(i),
              i % 2 == 0 ? Tier.DEDICATED : Tier.SHARED,
              ZoneId.of(i % 3 == 0 ? "Europe/Berlin" : "America/New_York"),
              BusinessHours.parse("Mon-Sat 08:00-22:00")));
    }
    Path work =
        Files.createTempDirectory(
            "tillwatch-slo-bench",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
    PostgresServer pg =
        LocalPostgres.open(
            pgBin,
            work.resolve("pg"),
            List.of("shared_buffers=1GB", "max_wal_size=8GB", "checkpoint_timeout=30min"));
    try {
      pg.execute("CREATE DATABASE bench");
      long t0 = System.nanoTime();
      long samples = load(pg, tenants, start, end);
      System.out.printf(
          Locale.ROOT, "stored %,d samples in %.0f s%n", samples, (System.nanoTime() - t0) / 1e9);
      Path openMetrics = work.resolve("samples.om");
      if (!Boolean.getBoolean("tillwatch.bench.without-prometheus")) {
        writeOpenMetrics(openMetrics, tenants, start, end);
      }
      CollectorConfig config = config(pg);
      List<RuleGroup> groups = RunningBackend.ruleGroups(config, Files::readString, estate);
      String promRules =
          "groups:\n"
              + SloRules.catalogGroups(
                  RunningBackend.sloCatalog(config, Files::readString), estate, true);
      if (Boolean.getBoolean("tillwatch.bench.without-prometheus")) {
        // tillwatch alone, for profiling: no Prometheus to compare with
        Files.deleteIfExists(openMetrics);
        run(config, groups, estate, null, tenants, days);
        return;
      }
      try (PrometheusServer prom =
          PrometheusServer.start(
              "global: {evaluation_interval: 1m}\nrule_files: [slo-rules.yml]\n",
              Map.of("slo-rules.yml", promRules),
              dir -> QueryRangeBenchmark.createBlocks(openMetrics, dir.resolve("tsdb")),
              List.of("--storage.tsdb.retention.time=400d"))) {
        Files.deleteIfExists(openMetrics);
        run(config, groups, estate, prom, tenants, days);
      }
    } finally {
      pg.close();
      io.tillwatch.localpg.Processes.deleteTree(work);
    }
  }

  private static CollectorConfig config(PostgresServer pg) {
    return new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            BenchStorage.of(pg),
            Duration.ofHours(1),
            List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
            1_000_000,
            List.of(),
            false,
            Duration.ofMinutes(1),
            AlertingConfig.NONE,
            new QueryConfig(Duration.ofMinutes(10), 200_000_000L, 20),
            List.of())
        .withBuiltinSlos(true);
  }

  private static void run(
      CollectorConfig config,
      List<RuleGroup> groups,
      Map<String, Tenant> estate,
      PrometheusServer prom,
      int tenants,
      int days)
      throws Exception {
    // Prometheus evaluates every minute on its own: wait for three rounds of every group
    Map<String, Double> theirs = new TreeMap<>();
    long deadline = System.currentTimeMillis() + Duration.ofMinutes(6).toMillis();
    Map<String, Integer> rounds = new TreeMap<>();
    while (prom != null && System.currentTimeMillis() < deadline) {
      Thread.sleep(10_000);
      Map<String, Double> now = groupDurations(prom.url());
      now.forEach(
          (g, d) -> {
            if (!d.equals(theirs.get(g))) {
              rounds.merge(g, 1, Integer::sum);
              theirs.put(g, d);
            }
          });
      if (!rounds.isEmpty() && rounds.values().stream().allMatch(r -> r >= 3)) {
        break;
      }
    }
    double theirCycle = theirs.values().stream().mapToDouble(Double::doubleValue).sum();

    try (Backend c =
        Backend.start(
            config,
            config.storage().url().orElseThrow(),
            config.storage().user(),
            config.storage().password(),
            groups,
            RunningBackend.sloCatalog(config, Files::readString),
            estate,
            java.time.Clock.systemUTC())) {
      // one untimed cycle (the JVM compiles its hot paths), then three timed
      double[] cycles = new double[4];
      Map<String, Double> oursByGroup = new TreeMap<>();
      for (int i = 0; i < cycles.length; i++) {
        long now = System.currentTimeMillis();
        long t0 = System.nanoTime();
        for (RuleEngine.GroupState g : c.rules().groups()) {
          long g0 = System.nanoTime();
          c.evaluate(g, now);
          oursByGroup.put(g.group().name(), (System.nanoTime() - g0) / 1e9);
          for (io.tillwatch.rules.Rule r : g.group().rules()) {
            if (g.lastError(r) != null) {
              throw new IllegalStateException(g.group().name() + ": " + g.lastError(r));
            }
          }
        }
        cycles[i] = (System.nanoTime() - t0) / 1e9;
      }
      double[] timed = Arrays.copyOfRange(cycles, 1, cycles.length);
      Arrays.sort(timed);
      double ours = timed[1];
      System.out.printf(
          Locale.ROOT,
          "%d tenants, %d days of 1 min samples (%d series), built-in SLO catalogue: %d groups,"
              + " %d rules%n",
          tenants,
          days,
          tenants * METRICS.size(),
          groups.size(),
          groups.stream().mapToInt(g -> g.rules().size()).sum());
      System.out.println("| group | tillwatch (last cycle) | Prometheus 2.42 (last evaluation) |");
      System.out.println("|---|---|---|");
      for (String g : new java.util.TreeSet<>(oursByGroup.keySet())) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %.3f s | %s |%n",
            g,
            oursByGroup.get(g),
            theirs.containsKey(g) ? String.format(Locale.ROOT, "%.3f s", theirs.get(g)) : "—");
      }
      System.out.printf(
          Locale.ROOT,
          "one cycle (all groups): tillwatch median %.3f s of %s; Prometheus %.3f s (sum of the"
              + " groups' prometheus_rule_group_last_duration_seconds); ratio %.2f; tillwatch"
              + " cycle / 1 min interval %.1f %%%n",
          ours,
          Arrays.toString(
              Arrays.stream(timed).mapToObj(x -> String.format(Locale.ROOT, "%.3f", x)).toArray()),
          theirCycle,
          ours / theirCycle,
          ours / 60 * 100);

      // the rollups' first count: every SLO's slices of the window, then a cycle's worth
      long r0 = System.nanoTime();
      long slices = 0;
      for (int i = 0; i < 100; i++) {
        long n = c.slos().update();
        slices += n;
        if (n == 0) {
          break;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "rollups: first count of %,d slices (per SLO, all tenants at once) in %.1f s; health %s%n",
          slices,
          (System.nanoTime() - r0) / 1e9,
          c.slos().check().ok() ? "ok" : c.slos().check().reason());

      // the status API for every tenant
      URI slos = URI.create("http://127.0.0.1:" + c.port() + "/api/v1/slos");
      Histogram h = new Histogram(3);
      int rows = 0;
      for (int i = 0; i < 220; i++) {
        long q0 = System.nanoTime();
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(slos).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - q0;
        if (r.statusCode() != 200) {
          throw new IllegalStateException("/api/v1/slos → " + r.statusCode() + " " + r.body());
        }
        if (i >= 20) { // the first 20 warm up
          h.recordValue(took / 1000);
        }
        rows =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body())
                .path("data")
                .size();
      }
      System.out.printf(
          Locale.ROOT,
          "/api/v1/slos (%d rows): p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests%n",
          rows,
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getMaxValue() / 1000.0,
          h.getTotalCount());
    }
  }

  private static Map<String, Double> groupDurations(URI prometheus) {
    Map<String, Double> out = new TreeMap<>();
    try {
      String body =
          HTTP.send(
                  HttpRequest.newBuilder(prometheus.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        if (line.startsWith("prometheus_rule_group_last_duration_seconds{")) {
          String group = line.substring(line.indexOf(";") + 1, line.indexOf("\"}"));
          double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          if (v > 0) {
            out.put(group, v);
          }
        }
      }
    } catch (java.io.IOException | InterruptedException | NumberFormatException e) {
      return out;
    }
    return out;
  }

  private static long load(PostgresServer pg, int tenants, long start, long end) throws Exception {
    long written = 0;
    try (PgStore store =
        PgStore.open(
            pg.jdbcUrl("bench"),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(400))) {
      List<Series> series = new ArrayList<>();
      List<int[]> owner = new ArrayList<>();
      for (int i = 0; i < tenants; i++) {
        for (int m = 0; m < METRICS.size(); m++) {
          series.add(new Series(METRICS.get(m).name(), labels(m, i)));
          owner.add(new int[] {i, m});
        }
      }
      SampleBatch batch = new SampleBatch();
      long k = 0;
      for (long t = start; t <= end; t += STEP_MS, k++) {
        for (int s = 0; s < series.size(); s++) {
          int[] o = owner.get(s);
          batch.add(series.get(s), t, value(o[1], o[0], k), false);
        }
        if (batch.size() >= 50_000) {
          store.write(List.of(batch));
          written += batch.size();
          batch = new SampleBatch();
        }
      }
      if (batch.size() > 0) {
        store.write(List.of(batch));
        written += batch.size();
      }
      Compaction.Result r = store.compact(Instant.now().minus(Duration.ofHours(2)));
      System.out.printf(
          Locale.ROOT,
          "compacted %d days: %,d samples into %,d chunks%n",
          r.stretches(),
          r.samples(),
          r.chunks());
    }
    pg.executeIn("bench", "VACUUM ANALYZE");
    return written;
  }

  private static void writeOpenMetrics(Path file, int tenants, long start, long end)
      throws java.io.IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      List<String> names = METRICS.stream().map(Metric::name).distinct().toList();
      for (String name : names) {
        w.write("# TYPE " + name + " gauge\n");
        for (int m = 0; m < METRICS.size(); m++) {
          if (!METRICS.get(m).name().equals(name)) {
            continue;
          }
          for (int i = 0; i < tenants; i++) {
            Labels l = labels(m, i);
            StringBuilder p = new StringBuilder(name).append('{');
            for (int j = 0; j < l.size(); j++) {
              p.append(j == 0 ? "" : ",")
                  .append(l.names().get(j))
                  .append("=\"")
                  .append(l.values().get(j))
                  .append('"');
            }
            String prefix = p.append("} ").toString();
            long k = 0;
            for (long t = start; t <= end; t += STEP_MS, k++) {
              w.write(prefix);
              w.write(Double.toString(value(m, i, k)));
              w.write(' ');
              w.write(Long.toString(t / 1000));
              w.write('\n');
            }
          }
        }
      }
      w.write("# EOF\n");
    }
  }
}
