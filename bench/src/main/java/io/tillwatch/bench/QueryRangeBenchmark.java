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
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.Map;
import java.util.Set;

/**
 * Macro benchmark: range and instant queries over storage (not the head), tillwatch's collector
 * against Prometheus holding the same samples (loaded with {@code promtool tsdb create-blocks-from
 * openmetrics}), in one run. Every tenant has counters {@code x}, {@code good}, {@code total} and a
 * gauge {@code y}, one sample every 15 s for {@code days} days, ending a day ago (so the head holds
 * none of it). Each query runs 3 times on both (the first warms caches); the median is reported,
 * with the answers compared and the collector's heap and storage connections.
 *
 * <p>Usage: {@code QueryRangeBenchmark [tenants=100] [days=28]}
 */
public final class QueryRangeBenchmark {
  private static final String TOKEN = "bench-token-0123456789";
  private static final long STEP_MS = 15_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private QueryRangeBenchmark() {}

  private record Query(String name, String expr, long rangeMillis) {}

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int days = args.length > 1 ? Integer.parseInt(args[1]) : 28;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    long end = (System.currentTimeMillis() - Duration.ofDays(1).toMillis()) / 300_000L * 300_000L;
    long start = end - Duration.ofDays(days).toMillis();
    Path work =
        Files.createTempDirectory(
            "tillwatch-query-bench",
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
      writeOpenMetrics(openMetrics, tenants, start, end);
      try (PrometheusServer prom =
              PrometheusServer.start(
                  "global: {}\n",
                  Map.of(),
                  dir -> createBlocks(openMetrics, dir.resolve("tsdb")),
                  List.of("--storage.tsdb.retention.time=400d", "--query.max-samples=200000000"));
          Backend collector = collector(pg)) {
        Files.deleteIfExists(openMetrics);
        run(collector, prom, pg, tenants, days, end);
      }
    } finally {
      pg.close();
      deleteTree(work);
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
            new QueryConfig(Duration.ofMinutes(10), 200_000_000L, 20));
    return Backend.start(
        c, c.storage().url().orElseThrow(), c.storage().user(), c.storage().password());
  }

  private static String tenant(int i) {
    return String.format(Locale.ROOT, "t%03d", i);
  }

  /** Values: counters grow by a tenant-dependent step, the gauge waves; all deterministic. */
  private static double value(String metric, int tenant, long k) {
    return switch (metric) {
      case "x" -> k * (1 + tenant % 7);
      case "total" -> k * 10.0;
      case "good" -> k * 10.0 - (k / 40) * (tenant % 3);
      default -> 50 + 10 * Math.sin(k / 240.0 + tenant);
    };
  }

  private static final List<String> METRICS = List.of("x", "good", "total", "y");

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
          series.add(new Series(METRICS.get(m), Labels.of("tenant", tenant(i))));
          owner.add(new int[] {i, m});
        }
      }
      // time-major, as agents send: every series' sample of an instant, then the next instant
      SampleBatch batch = new SampleBatch();
      long k = 0;
      for (long t = start; t <= end; t += STEP_MS, k++) {
        for (int s = 0; s < series.size(); s++) {
          int[] o = owner.get(s);
          batch.add(series.get(s), t, value(METRICS.get(o[1]), o[0], k), false);
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
      // what the collector does every 10 minutes: past days from rows into compressed chunks
      long t0 = System.nanoTime();
      Compaction.Result r = store.compact(Instant.now().minus(Duration.ofHours(2)));
      System.out.printf(
          Locale.ROOT,
          "compacted %d days: %,d samples into %,d chunks in %.1f s%n",
          r.stretches(),
          r.samples(),
          r.chunks(),
          (System.nanoTime() - t0) / 1e9);
    }
    try (Connection c = pg.connect("bench");
        Statement st = c.createStatement()) {
      st.execute("VACUUM ANALYZE");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT pg_total_relation_size('samples'), pg_total_relation_size('sample_chunks'),"
                  + " (SELECT coalesce(sum(octet_length(data)), 0) FROM sample_chunks)")) {
        rs.next();
        System.out.printf(
            Locale.ROOT,
            "on disk: samples %.1f MiB, sample_chunks %.1f MiB (%.2f bytes a sample encoded)%n",
            rs.getLong(1) / 1048576.0,
            rs.getLong(2) / 1048576.0,
            rs.getLong(3) / (double) written);
      }
    }
    return written;
  }

  private static void writeOpenMetrics(Path file, int tenants, long start, long end)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (int m = 0; m < METRICS.size(); m++) {
        String name = METRICS.get(m);
        w.write("# TYPE " + name + " gauge\n");
        for (int i = 0; i < tenants; i++) {
          String prefix = name + "{tenant=\"" + tenant(i) + "\"} ";
          long k = 0;
          for (long t = start; t <= end; t += STEP_MS, k++) {
            w.write(prefix);
            w.write(Double.toString(value(name, i, k)));
            w.write(' ');
            w.write(Long.toString(t / 1000));
            w.write('\n');
          }
        }
      }
      w.write("# EOF\n");
    }
  }

  static void createBlocks(Path openMetrics, Path tsdb) {
    long t0 = System.nanoTime();
    PrometheusServer.createBlocks(openMetrics, tsdb);
    System.out.printf(
        Locale.ROOT, "Prometheus blocks created in %.0f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void run(
      Backend collector, PrometheusServer prom, PostgresServer pg, int tenants, int days, long end)
      throws Exception {
    List<Query> queries = new ArrayList<>();
    String rate = "sum by (tenant) (rate(x[5m]))";
    String slo = "sum by (tenant) (increase(good[1h])) / sum by (tenant) (increase(total[1h]))";
    for (int d : days >= 28 ? List.of(7, 28) : List.of(days)) {
      queries.add(
          new Query("rate, " + d + " d range, 5 m step", rate, Duration.ofDays(d).toMillis()));
      queries.add(
          new Query("SLO ratio, " + d + " d range, 5 m step", slo, Duration.ofDays(d).toMillis()));
    }
    queries.add(
        new Query("instant sum_over_time(y[" + days + "d])", "sum_over_time(y[" + days + "d])", 0));
    queries.add(new Query("instant increase(x[" + days + "d])", "increase(x[" + days + "d])", 0));
    HeapWatch heap = HeapWatch.start();
    int maxConnections = 0;
    System.out.printf(
        Locale.ROOT,
        "%d tenants, %d days of 15 s samples, storage only (the head holds none of them)%n",
        tenants,
        days);
    // one untimed round first: both servers warm (the JVM compiles its hot paths; Prometheus's
    // page cache and postings are loaded), as a long-running server is
    for (Query q : queries) {
      get(URI.create("http://127.0.0.1:" + collector.port()), q, end, TOKEN);
      get(prom.url(), q, end, null);
    }
    System.out.println("| query | tillwatch | Prometheus 2.42 | ratio | same answer |");
    System.out.println("|---|---|---|---|---|");
    for (Query q : queries) {
      double[] ours = new double[3];
      double[] theirs = new double[3];
      JsonNode oursAnswer = null;
      JsonNode theirsAnswer = null;
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        oursAnswer = get(URI.create("http://127.0.0.1:" + collector.port()), q, end, TOKEN);
        ours[i] = (System.nanoTime() - t0) / 1e9;
        maxConnections = Math.max(maxConnections, connections(pg));
        t0 = System.nanoTime();
        theirsAnswer = get(prom.url(), q, end, null);
        theirs[i] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(ours);
      Arrays.sort(theirs);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.3f s | %.3f s | %.2f× | %s |%n",
          q.name(),
          ours[1],
          theirs[1],
          ours[1] / theirs[1],
          same(oursAnswer, theirsAnswer));
    }
    System.out.printf(
        Locale.ROOT,
        "collector heap: peak %.0f MiB used; storage connections: at most %d (read pool %d)%n",
        heap.stop() / 1048576.0,
        maxConnections,
        PgStore.READ_POOL_SIZE);
  }

  private static JsonNode get(URI base, Query q, long end, String token) throws Exception {
    String path =
        q.rangeMillis() == 0
            ? "/api/v1/query?query=" + enc(q.expr()) + "&time=" + end / 1000
            : "/api/v1/query_range?query="
                + enc(q.expr())
                + "&start="
                + (end - q.rangeMillis()) / 1000
                + "&end="
                + end / 1000
                + "&step=300";
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(q.name() + " → " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("data").path("result");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Same series and values to 1e-9 relative ("yes"), or what differs. */
  private static String same(JsonNode a, JsonNode b) {
    if (a.size() != b.size()) {
      return "no: " + a.size() + " vs " + b.size() + " series";
    }
    java.util.Map<String, JsonNode> byLabels = new java.util.HashMap<>();
    for (JsonNode s : b) {
      byLabels.put(s.path("metric").toString(), s);
    }
    long points = 0;
    for (JsonNode s : a) {
      JsonNode o = byLabels.get(s.path("metric").toString());
      if (o == null) {
        return "no: series " + s.path("metric");
      }
      JsonNode va =
          s.has("values") ? s.path("values") : JSON.createArrayNode().add(s.path("value"));
      JsonNode vb =
          o.has("values") ? o.path("values") : JSON.createArrayNode().add(o.path("value"));
      if (va.size() != vb.size()) {
        return "no: " + va.size() + " vs " + vb.size() + " points of " + s.path("metric");
      }
      for (int i = 0; i < va.size(); i++) {
        double x = Double.parseDouble(va.get(i).get(1).asText());
        double y = Double.parseDouble(vb.get(i).get(1).asText());
        if (va.get(i).get(0).asDouble() != vb.get(i).get(0).asDouble()
            || !(Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))
                || (Double.isNaN(x) && Double.isNaN(y)))) {
          return "no: " + s.path("metric") + " at " + va.get(i).get(0) + ": " + x + " vs " + y;
        }
        points++;
      }
    }
    return "yes (" + a.size() + " series, " + points + " points)";
  }

  private static int connections(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect("bench");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tillwatch"
                    + " collector'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The highest heap use seen, polled every 50 ms. */
  private static final class HeapWatch {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    private HeapWatch() {
      thread = Thread.ofPlatform().daemon().start(this::poll);
    }

    static HeapWatch start() {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        p.resetPeakUsage();
      }
      return new HeapWatch();
    }

    private void poll() {
      while (running) {
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
          if (p.getType() == MemoryType.HEAP) {
            used += p.getUsage().getUsed(); // at this instant: pools peak at different times
          }
        }
        peak = Math.max(peak, used);
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    long stop() throws InterruptedException {
      running = false;
      thread.join();
      return peak;
    }
  }

  private static void deleteTree(Path dir) {
    io.tillwatch.localpg.Processes.deleteTree(dir);
  }
}
