package io.tillwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.store.Compaction;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.sandbox.PrometheusServer;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Macro benchmark: loading the estate overview dashboard ({@code
 * dashboards/grafana/estate-overview.json}) for 100 tenants over 7 days as Grafana does — the
 * tenant variable's values, every panel's queries and the annotation query, all at once — from the
 * collector and from Prometheus 2.42 on the same samples (1-minute resolution).
 *
 * <p>Usage: {@code DashboardBenchmark [tenants=100] [days=7]}
 */
public final class DashboardBenchmark {
  private static final String TOKEN = "bench-token-0123456789";
  private static final long STEP_MS = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String[] SLOS = {
    "order-capture",
    "checkout-latency",
    "stock-sync-freshness",
    "recovery-readiness",
    "order-intake"
  };

  private DashboardBenchmark() {}

  /** One series of the estate and how its value goes. */
  private record Gen(Series series, String tenant, int kind) {}

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    long end = System.currentTimeMillis() / STEP_MS * STEP_MS;
    // a day more than the dashboard shows: its "same day last week" reaches 7 days back
    long start = end - Duration.ofDays(days + 1).toMillis();
    List<Gen> estate = estate(tenants);
    Path work =
        Files.createTempDirectory(
            "tillwatch-dashboard-bench",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
    PostgresServer pg =
        LocalPostgres.open(
            pgBin, work.resolve("pg"), List.of("shared_buffers=1GB", "max_wal_size=8GB"));
    try {
      pg.execute("CREATE DATABASE bench");
      long t0 = System.nanoTime();
      long samples = load(pg, estate, start, end);
      System.out.printf(
          Locale.ROOT,
          "%d tenants, %d series, %d days a minute: %,d samples stored in %.0f s%n",
          tenants,
          estate.size(),
          days + 1,
          samples,
          (System.nanoTime() - t0) / 1e9);
      Path om = work.resolve("samples.om");
      writeOpenMetrics(om, estate, start, end);
      try (PrometheusServer prom =
              PrometheusServer.start(
                  "global: {}\n",
                  Map.of(),
                  dir -> PrometheusServer.createBlocks(om, dir.resolve("tsdb")),
                  List.of("--storage.tsdb.retention.time=400d", "--query.max-samples=200000000"));
          Backend collector = collector(pg)) {
        Files.deleteIfExists(om);
        List<Request> requests = requests(Path.of("dashboards/grafana/estate-overview.json"), end);
        String ours = "http://127.0.0.1:" + collector.port();
        String theirs = prom.url().toString().replaceAll("/$", "");
        double[] a = rounds(ours, TOKEN, requests);
        double[] b = rounds(theirs, null, requests);
        // each request alone, for where the time goes
        for (Request q : requests) {
          System.out.printf(
              Locale.ROOT,
              "  alone: tillwatch %5.0f ms, Prometheus %5.0f ms  %s %s%n",
              alone(ours, TOKEN, q),
              alone(theirs, null, q),
              q.path(),
              java.net.URLDecoder.decode(q.form(), StandardCharsets.UTF_8));
        }
        int n = a.length - 1;
        System.out.printf(
            Locale.ROOT,
            "estate overview, %d requests at once (variable, %d panel queries, annotations):%n"
                + "  first load: tillwatch %.0f ms, Prometheus %.0f ms%n"
                + "  after %d loads of warm-up, %d loads:%n"
                + "  tillwatch  median %.0f ms, max %.0f ms%n"
                + "  Prometheus median %.0f ms, max %.0f ms%n"
                + "  ratio %.2f×%n",
            requests.size(),
            requests.size() - 2,
            a[0],
            b[0],
            Integer.getInteger("tillwatch.bench.warmup", 300),
            n,
            a[1 + n / 2],
            a[n],
            b[1 + n / 2],
            b[n],
            a[1 + n / 2] / b[1 + n / 2]);
      }
    } finally {
      pg.close();
      io.tillwatch.localpg.Processes.deleteTree(work);
    }
  }

  private static List<Gen> estate(int tenants) {
    List<Gen> out = new ArrayList<>();
    for (int i = 0; i < tenants; i++) {
      String t = String.format("tenant-%03d", i);
      for (String slo : SLOS) {
        out.add(
            new Gen(new Series("tillwatch_slo_state", Labels.of("slo", slo, "tenant", t)), t, 0));
        out.add(
            new Gen(
                new Series(
                    "tillwatch_slo_budget_remaining_ratio", Labels.of("slo", slo, "tenant", t)),
                t,
                1));
      }
      out.add(new Gen(new Series("tillwatch_odoo_orders_total", Labels.of("tenant", t)), t, 2));
      out.add(
          new Gen(
              new Series(
                  "tillwatch_pg_wal_last_archived_age_seconds",
                  Labels.of("target", t + "-primary", "tenant", t)),
              t,
              3));
      out.add(
          new Gen(
              new Series(
                  "tillwatch_backup_last_success_timestamp_seconds",
                  Labels.of("target", t + "-backups", "tenant", t)),
              t,
              4));
      out.add(
          new Gen(
              new Series(
                  "tillwatch_pg_standby_stream_up",
                  Labels.of("target", t + "-standby", "tenant", t)),
              t,
              5));
      out.add(
          new Gen(
              new Series(
                  "tillwatch_target_up",
                  Labels.of("target", t + "-primary", "tenant", t, "type", "postgres")),
              t,
              5));
      if (i % 10 == 0) {
        out.add(
            new Gen(
                new Series(
                    "ALERTS",
                    Labels.of(
                        "alertname",
                        "StockSyncStalled",
                        "alertstate",
                        "firing",
                        "risk",
                        "inventory_accuracy",
                        "severity",
                        "page",
                        "tenant",
                        t)),
                t,
                6));
      }
    }
    return out;
  }

  private static double value(Gen g, long k, long t) {
    return switch (g.kind()) {
      case 0 -> (k / 240 + g.tenant().hashCode()) % 4 == 0 ? 1 : 0;
      case 1 -> 1 - (k % 40_320) / 40_320.0 * 0.6;
      case 2 -> k * 3.0;
      case 3 -> (k * 13) % 240;
      case 4 -> (t - t % 86_400_000L) / 1000.0;
      case 5 -> k % 97 == 0 ? 0 : 1;
      default -> 1;
    };
  }

  private static long load(PostgresServer pg, List<Gen> estate, long start, long end)
      throws Exception {
    long written = 0;
    try (PgStore store =
        PgStore.open(
            pg.jdbcUrl("bench"),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(400))) {
      SampleBatch batch = new SampleBatch();
      long k = 0;
      for (long t = start; t <= end; t += STEP_MS, k++) {
        for (Gen g : estate) {
          batch.add(g.series(), g.tenant(), t, value(g, k, t), false);
        }
        if (batch.size() >= 50_000) {
          store.write(List.of(batch));
          written += batch.size();
          batch = new SampleBatch();
        }
      }
      store.write(List.of(batch));
      written += batch.size();
      Compaction.Result r = store.compact(Instant.now().minus(Duration.ofHours(2)));
      System.out.printf(
          Locale.ROOT, "compacted %d days into %,d chunks%n", r.stretches(), r.chunks());
    }
    pg.executeIn("bench", "VACUUM ANALYZE");
    return written;
  }

  private static void writeOpenMetrics(Path file, List<Gen> estate, long start, long end)
      throws Exception {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      String last = null;
      for (Gen g :
          estate.stream()
              .sorted((x, y) -> x.series().name().compareTo(y.series().name()))
              .toList()) {
        if (!g.series().name().equals(last)) {
          w.write("# TYPE " + g.series().name() + " gauge\n");
          last = g.series().name();
        }
        StringBuilder l = new StringBuilder(g.series().name()).append('{');
        List<String> names = g.series().labels().names();
        List<String> values = g.series().labels().values();
        for (int i = 0; i < names.size(); i++) {
          l.append(i == 0 ? "" : ",")
              .append(names.get(i))
              .append("=\"")
              .append(values.get(i))
              .append('"');
        }
        String prefix = l.append("} ").toString();
        long k = 0;
        for (long t = start; t <= end; t += STEP_MS, k++) {
          w.write(prefix);
          w.write(Double.toString(value(g, k, t)));
          w.write(' ');
          w.write(Long.toString(t / 1000));
          w.write('\n');
        }
      }
      w.write("# EOF\n");
    }
  }

  private static Backend collector(PostgresServer pg) throws Exception {
    CollectorConfig c =
        new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            BenchStorage.of(pg),
            Duration.ofHours(1),
            List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
            1_000_000,
            List.of(),
            false,
            Duration.ofMinutes(1),
            AlertingConfig.NONE,
            new QueryConfig(
                Duration.ofMinutes(2),
                50_000_000L,
                20,
                // -Dtillwatch.bench.max_parallel=2: every core computing queries, as Prometheus's
                Integer.getInteger(
                    "tillwatch.bench.max_parallel", QueryConfig.DEFAULT_MAX_PARALLEL)));
    return Backend.start(
        c, c.storage().url().orElseThrow(), c.storage().user(), c.storage().password());
  }

  /** A request as Grafana sends it: a path and a form (posted), or a GET's query. */
  private record Request(String path, String form, boolean get) {
    Request(String path, String form) {
      this(path, form, false);
    }
  }

  /**
   * The dashboard's requests for a 7-day range ending at {@code end} with every tenant: the
   * variable's values, each target (instant ones at the end; "today" panels over the hours since
   * midnight), the annotation over the range; Grafana's macros for a 7-day panel ($__interval 10m,
   * $__rate_interval 11m).
   */
  private static List<Request> requests(Path dashboard, long endMillis) throws Exception {
    JsonNode d = JSON.readTree(dashboard.toFile());
    long end = endMillis / 1000;
    long start = end - Duration.ofDays(7).toSeconds();
    long sinceMidnight = end % 86_400;
    List<Request> out = new ArrayList<>();
    out.add(
        new Request(
            "/api/v1/label/tenant/values",
            "match[]=" + enc("tillwatch_target_up") + "&start=" + start + "&end=" + end,
            true));
    for (JsonNode p : d.path("panels")) {
      boolean today = p.path("timeFrom").asText("").equals("now/d");
      for (JsonNode t : p.path("targets")) {
        String expr =
            t.path("expr")
                .asText()
                .replace("$__rate_interval", "660s")
                .replace("$__interval", "600s")
                .replace("$__range", (today ? sinceMidnight : end - start) + "s")
                .replace("$tenant", ".+");
        out.add(
            t.path("instant").asBoolean()
                ? new Request("/api/v1/query", "query=" + enc(expr) + "&time=" + end)
                : new Request(
                    "/api/v1/query_range",
                    "query=" + enc(expr) + "&start=" + start + "&end=" + end + "&step=600"));
      }
    }
    for (JsonNode a : d.path("annotations").path("list")) {
      if (a.path("target").has("expr")) {
        String expr = a.path("target").path("expr").asText().replace("$tenant", ".+");
        out.add(
            new Request(
                "/api/v1/query_range",
                "query=" + enc(expr) + "&start=" + start + "&end=" + end + "&step=600"));
      }
    }
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** One load to warm up, then 10 timed loads, each all requests at once; sorted milliseconds. */
  /**
   * The first load (before anything is warm), then {@code tillwatch.bench.warmup} untimed loads
   * (300 unless set: the JIT compiles the query path, as in a collector that has been running),
   * then {@code tillwatch.bench.loads} timed ones (20 unless set). Element 0 of the answer is the
   * first load; the rest, sorted, are the timed ones.
   */
  private static double[] rounds(String base, String token, List<Request> requests)
      throws Exception {
    int warmup = Integer.getInteger("tillwatch.bench.warmup", 300);
    int loads = Integer.getInteger("tillwatch.bench.loads", 20);
    double[] ms = new double[loads + 1];
    ms[0] = load(base, token, requests, true);
    for (int r = 0; r < warmup; r++) {
      load(base, token, requests, false);
    }
    for (int r = 1; r <= loads; r++) {
      ms[r] = load(base, token, requests, false);
    }
    Arrays.sort(ms, 1, ms.length);
    return ms;
  }

  /** One load of {@code requests}, all in flight together; its time in milliseconds. */
  private static double load(String base, String token, List<Request> requests, boolean first)
      throws Exception {
    long t0 = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (Request q : requests) {
      HttpRequest.Builder b =
          q.get()
              ? HttpRequest.newBuilder(URI.create(base + q.path() + "?" + q.form()))
                  .timeout(Duration.ofMinutes(2))
              : HttpRequest.newBuilder(URI.create(base + q.path()))
                  .timeout(Duration.ofMinutes(2))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(q.form()));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      all.add(HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < all.size(); i++) {
      HttpResponse<String> resp = all.get(i).join();
      if (resp.statusCode() != 200 || JSON.readTree(resp.body()).path("data").isMissingNode()) {
        throw new IllegalStateException(
            base + " " + requests.get(i) + " answered " + resp.statusCode() + ": " + resp.body());
      }
      if (first && emptyResult(resp.body())) {
        System.out.println("  (no data from " + base + " for " + requests.get(i) + ")");
      }
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The best of 5 runs of one request, in milliseconds. */
  private static double alone(String base, String token, Request q) throws Exception {
    double best = Double.MAX_VALUE;
    // -Dtillwatch.bench.repeat=N: each request N times alone, for a profiler to see the query path
    for (int i = 0; i < Integer.getInteger("tillwatch.bench.repeat", 5); i++) {
      best = Math.min(best, load(base, token, List.of(q), false));
    }
    return best;
  }

  private static boolean emptyResult(String body) throws Exception {
    JsonNode data = JSON.readTree(body).path("data");
    return data.isArray() ? data.isEmpty() : data.path("result").isEmpty();
  }
}
