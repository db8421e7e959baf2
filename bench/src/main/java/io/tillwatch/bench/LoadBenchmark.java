package io.tillwatch.bench;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.HdrHistogram.Recorder;

/**
 * Macro benchmark: the collector as a user runs it (its own process, the built-in rule pack and
 * SLOs evaluated every 15 s) under N tenants × M series pushed every 15 s, each tenant with its own
 * token, while query clients read. Reports ingest latency (p50/p99/max), query latency, the
 * collector's CPU, RSS, heap and live data after GC, PostgreSQL's CPU, and compares the samples
 * acknowledged with the samples stored (loss and duplicates must both be 0).
 *
 * <p>With {@code hostile}, one more tenant attacks all along: a cardinality bomb (new series every
 * request), timestamps spread over years, NUL and oversized labels, gzip bombs, and 200 slowloris
 * connections; the figures then say whether the honest tenants felt it.
 *
 * <p>Usage: {@code LoadBenchmark [tenants=100] [seriesPerTenant=2000] [seconds=600] [hostile]}
 */
public final class LoadBenchmark {
  private static final String ADMIN = "load-admin-token-0123456789";
  private static final long INTERVAL_MS = 15_000;
  private static final int SERVICES = 20;
  private static final String[] CODES = {"200", "404", "500"};
  private static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final int CHANNELS = 20;
  private static final int QUEUES = 50;

  private LoadBenchmark() {}

  private static String token(int tenant) {
    return "load-token-" + tenant(tenant) + "-0123456789";
  }

  private static String tenant(int t) {
    return String.format(Locale.ROOT, "t%03d", t);
  }

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int perTenant = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 600;
    boolean hostile = args.length > 3 && args[3].equals("hostile");
    Path jar = Path.of(System.getProperty("tillwatch.jar", "cli/target/tillwatch.jar"));
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Path home = Files.createTempDirectory("tillwatch-load-bench");
    int fixed = SERVICES * CODES.length * (BOUNDS.length + 3) + CHANNELS + 3 * QUEUES;
    if (perTenant < fixed) {
      throw new IllegalArgumentException("at least " + fixed + " series per tenant");
    }
    PostgresServer pg =
        LocalPostgres.open(
            pgBin,
            Files.createTempDirectory("tillwatch-load-pg"),
            List.of("shared_buffers=512MB", "max_wal_size=4GB", "checkpoint_timeout=30min"));
    Process collector = null;
    try {
      pg.execute("CREATE DATABASE load");
      int port = FreePorts.next();
      Path config = home.resolve("collector.yaml");
      StringBuilder tokens = new StringBuilder();
      tokens.append("    - token: ").append(ADMIN).append("\n      tenants: [\"*\"]\n");
      for (int t = 0; t < tenants; t++) {
        tokens
            .append("    - token: ")
            .append(token(t))
            .append("\n      tenants: [")
            .append(tenant(t))
            .append("]\n");
      }
      if (hostile) {
        tokens.append("    - token: load-token-hostile-0123456789\n      tenants: [hostile]\n");
      }
      Files.writeString(
          config,
          """
          collector:
            listen: 127.0.0.1:%d
            storage:
              url: %s
              user: postgres
              password: ${TILLWATCH_DB_PASSWORD}
            evaluation_interval: 15s
            tokens:
          %s\
            limits:
              tenants:
                hostile:
                  max_series_per_tenant: 5000
          """
              .formatted(port, pg.jdbcUrl("load"), tokens));
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(
          List.of(
              "-XX:+UseCompactObjectHeaders",
              "--sun-misc-unsafe-memory-access=allow",
              "-jar",
              jar.toString(),
              "collector",
              "--config",
              config.toString()));
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("collector.log").toFile());
      pb.environment().put("TILLWATCH_DB_PASSWORD", pg.superuserPassword());
      collector = pb.start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://127.0.0.1:" + port;
      waitReady(http, base, collector, home);
      long pgPid =
          Long.parseLong(Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).trim());
      System.out.printf(
          Locale.ROOT,
          "%d tenants x %d series every 15 s for %d s%s (collector log: %s)%n",
          tenants,
          perTenant,
          seconds,
          hostile ? ", one hostile tenant attacking" : "",
          home.resolve("collector.log"));
      run(http, base, collector, pgPid, pg, tenants, perTenant, seconds, hostile);
    } finally {
      if (collector != null) {
        collector.destroy();
        collector.waitFor();
      }
      pg.close();
    }
  }

  private static void waitReady(HttpClient http, String base, Process collector, Path home)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!collector.isAlive()) {
        throw new IllegalStateException(
            "the collector ended: " + Files.readString(home.resolve("collector.log")));
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the collector was not ready within 90 s");
  }

  /** What the run saw, shared by its threads. */
  private static final class Tally {
    final Recorder ingest = new Recorder(3);
    final Recorder query = new Recorder(3);
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong queries = new AtomicLong();
    final AtomicLong queryErrors = new AtomicLong();
    final AtomicLong attacks = new AtomicLong();
    final AtomicLong attacksRefused = new AtomicLong();
    final LongAccumulator rssKiB = new LongAccumulator(Math::max, 0);
    final LongAccumulator heapBytes = new LongAccumulator(Math::max, 0);
    final LongAccumulator liveBytes = new LongAccumulator(Math::max, 0);
    final LongAccumulator ruleMillis = new LongAccumulator(Math::max, 0);
  }

  private static void run(
      HttpClient http,
      String base,
      Process collector,
      long pgPid,
      PostgresServer pg,
      int tenants,
      int perTenant,
      int seconds,
      boolean hostile)
      throws Exception {
    Tally tally = new Tally();
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.currentTimeMillis();
    long end = start + seconds * 1000L;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      int tenant = t;
      long offset = INTERVAL_MS * t / tenants;
      threads.add(
          Thread.ofVirtual()
              .start(() -> sender(http, base, tenant, perTenant, start + offset, end, tally)));
    }
    for (int q = 0; q < 4; q++) {
      threads.add(Thread.ofVirtual().start(() -> querier(http, base, tenants, stop, tally)));
    }
    List<Socket> loris = new ArrayList<>();
    if (hostile) {
      threads.add(Thread.ofVirtual().start(() -> attacker(http, base, stop, tally)));
      threads.add(Thread.ofVirtual().start(() -> slowloris(base, stop, loris)));
    }
    long cpu0 = ProcStat.cpuTicks(collector.pid());
    long pgCpu0 = treeTicks(pgPid);
    long last = System.currentTimeMillis();
    while (System.currentTimeMillis() < end) {
      Thread.sleep(5_000);
      monitor(http, base, collector.pid(), tally);
      long now = System.currentTimeMillis();
      if (now - last >= 60_000) {
        last = now;
        System.out.printf(
            Locale.ROOT,
            "  %3d s: %,d samples acknowledged, %d failed requests, heap peak %,d MB%n",
            (now - start) / 1000,
            tally.acknowledged.get(),
            tally.failed.get(),
            tally.heapBytes.get() >> 20);
      }
    }
    for (Thread t : threads.subList(0, tenants)) {
      t.join();
    }
    stop.set(true);
    for (Thread t : threads.subList(tenants, threads.size())) {
      t.join();
    }
    for (Socket s : loris) {
      s.close();
    }
    double wall = (System.currentTimeMillis() - start) / 1000.0;
    double cpu = (ProcStat.cpuTicks(collector.pid()) - cpu0) / 100.0;
    double pgCpu = (treeTicks(pgPid) - pgCpu0) / 100.0;
    monitor(http, base, collector.pid(), tally);
    long stored;
    long twice;
    try (java.sql.Connection c = pg.connect("load");
        java.sql.Statement st = c.createStatement()) {
      // fresh statistics and room to count 10^7 rows in memory: seconds, not minutes
      st.execute("ANALYZE series");
      st.execute("ANALYZE samples");
      st.execute("SET work_mem = '1GB'");
      try (java.sql.ResultSet rs =
          st.executeQuery(
              "SELECT count(*), count(*) - count(DISTINCT (x.series_id, x.time)) FROM samples x"
                  + " WHERE x.series_id IN (SELECT s.id FROM series s"
                  + SENT
                  + ")")) {
        rs.next();
        stored = rs.getLong(1);
        twice = rs.getLong(2);
      }
    }
    long distinct = stored - twice;
    var in = tally.ingest.getIntervalHistogram();
    var q = tally.query.getIntervalHistogram();
    System.out.printf(
        Locale.ROOT,
        "ingest: %,d requests (%,d retried, %,d failed), %,.0f samples/s;"
            + " latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
            + "queries: %,d (%,d errors); latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n"
            + "collector: CPU %.1f s over %.0f s (%.0f%% of one core, %.2f ms per 1,000 samples);"
            + " RSS peak %,d MB; heap used peak %,d MB; live data after GC peak %,d MB;"
            + " slowest rule group %d ms%n"
            + "PostgreSQL: CPU %.1f s (%.0f%% of one core)%n"
            + "samples acknowledged %,d, stored %,d, distinct %,d: lost %,d, twice %,d%n",
        tally.requests.get(),
        tally.retried.get(),
        tally.failed.get(),
        tally.acknowledged.get() / wall,
        in.getValueAtPercentile(50) / 1000.0,
        in.getValueAtPercentile(99) / 1000.0,
        in.getMaxValue() / 1000.0,
        tally.queries.get(),
        tally.queryErrors.get(),
        q.getValueAtPercentile(50) / 1000.0,
        q.getValueAtPercentile(99) / 1000.0,
        q.getMaxValue() / 1000.0,
        cpu,
        wall,
        100 * cpu / wall,
        1000 * cpu * 1000 / Math.max(1, tally.acknowledged.get()),
        tally.rssKiB.get() >> 10,
        tally.heapBytes.get() >> 20,
        tally.liveBytes.get() >> 20,
        tally.ruleMillis.get(),
        pgCpu,
        100 * pgCpu / wall,
        tally.acknowledged.get(),
        stored,
        distinct,
        tally.acknowledged.get() - distinct,
        stored - distinct);
    if (hostile) {
      System.out.printf(
          Locale.ROOT,
          "hostile: %,d attacking requests, %,d refused (4xx)%n",
          tally.attacks.get(),
          tally.attacksRefused.get());
    }
  }

  /** The series the senders sent (rules write more series under the same tenants). */
  private static final String SENT =
      " WHERE s.tenant ~ '^t[0-9]{3}$' AND s.metric IN ("
          + "'tillwatch_http_request_duration_seconds_bucket',"
          + " 'tillwatch_http_request_duration_seconds_count',"
          + " 'tillwatch_http_request_duration_seconds_sum', 'tillwatch_odoo_orders_total',"
          + " 'tillwatch_odoo_queue_oldest_age_seconds', 'tillwatch_odoo_queue_failed_jobs',"
          + " 'tillwatch_odoo_queue_stuck_jobs', 'tillwatch_load_store_sessions')";

  /** CPU ticks of a process and all its descendants (PostgreSQL's backends). */
  private static long treeTicks(long pid) {
    long sum = 0;
    List<ProcessHandle> all = new ArrayList<>();
    ProcessHandle.of(pid).ifPresent(all::add);
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(all::add));
    for (ProcessHandle p : all) {
      try {
        sum += ProcStat.cpuTicks(p.pid());
      } catch (IOException | RuntimeException gone) {
        // ended between listing and reading
      }
    }
    return sum;
  }

  private static final Pattern HEAP =
      Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"\\} ([0-9.E+]+)$");
  // the old generation as the last collection left it: what the collector keeps
  private static final Pattern LIVE =
      Pattern.compile(
          "(?m)^jvm_memory_pool_collection_used_bytes\\{pool=\"[^\"]*Old Gen\"\\} ([0-9.E+]+)$");
  private static final Pattern RULES =
      Pattern.compile("(?m)^tillwatch_rule_group_last_duration_seconds\\{[^}]*\\} ([0-9.E+-]+)$");

  private static void monitor(HttpClient http, String base, long pid, Tally tally) {
    try {
      tally.rssKiB.accumulate(ProcStat.rssKiB(pid));
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics"))
                      .header("Authorization", "Bearer " + ADMIN)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      double heap = 0;
      for (Matcher m = HEAP.matcher(body); m.find(); ) {
        heap += Double.parseDouble(m.group(1));
      }
      tally.heapBytes.accumulate((long) heap);
      for (Matcher m = LIVE.matcher(body); m.find(); ) {
        tally.liveBytes.accumulate((long) Double.parseDouble(m.group(1)));
      }
      for (Matcher m = RULES.matcher(body); m.find(); ) {
        tally.ruleMillis.accumulate((long) (Double.parseDouble(m.group(1)) * 1000));
      }
    } catch (IOException | InterruptedException e) {
      System.out.println("  /metrics: " + e);
    }
  }

  private static void sender(
      HttpClient http, String base, int tenant, int perTenant, long first, long end, Tally tally) {
    URI uri = URI.create(base + "/v1/metrics");
    for (int k = 0; first + k * INTERVAL_MS < end; k++) {
      long at = first + k * INTERVAL_MS;
      try {
        Thread.sleep(Math.max(0, at - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        return;
      }
      byte[] body = batch(tenant, perTenant, k, System.currentTimeMillis()).toByteArray();
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/x-protobuf")
              .header("Authorization", "Bearer " + token(tenant))
              .header("X-Tillwatch-Batch-Id", tenant(tenant) + "-" + k)
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      // as the agent does: retried with the same batch id, stored once
      for (int attempt = 0; ; attempt++) {
        long t0 = System.nanoTime();
        int status;
        try {
          status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
          status = -1;
        }
        tally.ingest.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        tally.requests.incrementAndGet();
        if (status == 200) {
          tally.acknowledged.addAndGet(perTenant);
          break;
        }
        if (attempt == 3) {
          tally.failed.incrementAndGet();
          System.out.println("  " + tenant(tenant) + " batch " + k + ": answered " + status);
          break;
        }
        tally.retried.incrementAndGet();
        try {
          Thread.sleep(1000L << attempt);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One tenant's series: HTTP histograms, orders, queues, replication and filler gauges. */
  static ExportMetricsServiceRequest batch(int tenant, int perTenant, int k, long timeMs) {
    long nanos = timeMs * 1_000_000L;
    List<Metric> metrics = new ArrayList<>();
    Histogram.Builder h =
        Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int s = 0; s < SERVICES; s++) {
      for (String code : CODES) {
        HistogramDataPoint.Builder p =
            HistogramDataPoint.newBuilder()
                .addAttributes(attr("tenant", tenant(tenant)))
                .addAttributes(attr("service", "svc-" + s))
                .addAttributes(attr("code", code))
                .setTimeUnixNano(nanos);
        long count = 0;
        for (int b = 0; b <= BOUNDS.length; b++) {
          if (b < BOUNDS.length) {
            p.addExplicitBounds(BOUNDS[b]);
          }
          long n = (long) k * (b + 1);
          p.addBucketCounts(n);
          count += n;
        }
        h.addDataPoints(p.setCount(count).setSum(count * 0.05));
      }
    }
    metrics.add(
        Metric.newBuilder()
            .setName("tillwatch_http_request_duration_seconds")
            .setHistogram(h)
            .build());
    Sum.Builder orders =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int c = 0; c < CHANNELS; c++) {
      orders.addDataPoints(point(tenant(tenant), "channel", "pos-" + c, nanos, k * 3.0 + c));
    }
    metrics.add(Metric.newBuilder().setName("tillwatch_odoo_orders_total").setSum(orders).build());
    for (String name :
        List.of(
            "tillwatch_odoo_queue_oldest_age_seconds",
            "tillwatch_odoo_queue_failed_jobs",
            "tillwatch_odoo_queue_stuck_jobs")) {
      Gauge.Builder g = Gauge.newBuilder();
      for (int c = 0; c < QUEUES; c++) {
        g.addDataPoints(point(tenant(tenant), "channel", "root.sync-" + c, nanos, (k + c) % 7));
      }
      metrics.add(Metric.newBuilder().setName(name).setGauge(g).build());
    }
    int filler = perTenant - SERVICES * CODES.length * (BOUNDS.length + 3) - CHANNELS - 3 * QUEUES;
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < filler; i++) {
      g.addDataPoints(point(tenant(tenant), "store", "store-" + i, nanos, (k * 7 + i) % 100));
    }
    metrics.add(Metric.newBuilder().setName("tillwatch_load_store_sessions").setGauge(g).build());
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(metrics)))
        .build();
  }

  private static NumberDataPoint point(
      String tenant, String label, String value, long nanos, double v) {
    return NumberDataPoint.newBuilder()
        .addAttributes(attr("tenant", tenant))
        .addAttributes(attr(label, value))
        .setTimeUnixNano(nanos)
        .setAsDouble(v)
        .build();
  }

  private static KeyValue attr(String k, String v) {
    return IngestBenchmark.attr(k, v);
  }

  private static final List<String> QUERIES =
      List.of(
          "sum by (service) (rate(tillwatch_http_request_duration_seconds_count[5m]))",
          "histogram_quantile(0.99, sum by (le) (rate(tillwatch_http_request_duration_seconds_bucket[5m])))",
          "sum(increase(tillwatch_odoo_orders_total[10m]))",
          "max by (channel) (tillwatch_odoo_queue_oldest_age_seconds)");

  private static void querier(
      HttpClient http, String base, int tenants, AtomicBoolean stop, Tally tally) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (!stop.get()) {
      int tenant = r.nextInt(tenants);
      String query = QUERIES.get(r.nextInt(QUERIES.size()));
      long now = System.currentTimeMillis() / 1000;
      String url =
          base
              + "/api/v1/query_range?query="
              + URLEncoder.encode(query, StandardCharsets.UTF_8)
              + "&start="
              + (now - 900)
              + "&end="
              + now
              + "&step=15";
      long t0 = System.nanoTime();
      try {
        int status =
            http.send(
                    HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token(tenant))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status != 200) {
          tally.queryErrors.incrementAndGet();
        }
      } catch (IOException | InterruptedException e) {
        tally.queryErrors.incrementAndGet();
      }
      tally.query.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
      tally.queries.incrementAndGet();
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The hostile tenant: a request of one kind of attack every 200 ms, in turn. */
  private static void attacker(HttpClient http, String base, AtomicBoolean stop, Tally tally) {
    URI uri = URI.create(base + "/v1/metrics");
    for (int n = 0; !stop.get(); n++) {
      long now = System.currentTimeMillis();
      byte[] body;
      String encoding = null;
      Gauge.Builder g = Gauge.newBuilder();
      switch (n % 4) {
        case 0 -> {
          // cardinality bomb: 1,000 new series every time
          for (int i = 0; i < 1000; i++) {
            g.addDataPoints(point("hostile", "id", n + "-" + i, now * 1_000_000L, i));
          }
        }
        case 1 -> {
          // timestamps over 20 years
          for (int i = 0; i < 1000; i++) {
            g.addDataPoints(
                point("hostile", "id", "spread", (now - i * 7L * 86_400_000L) * 1_000_000L, i));
          }
        }
        case 2 -> {
          // NUL and oversized label values
          for (int i = 0; i < 100; i++) {
            g.addDataPoints(point("hostile", "id", "nul\u0000" + i, now * 1_000_000L, i));
            g.addDataPoints(point("hostile", "id", "x".repeat(5000) + i, now * 1_000_000L, i));
          }
        }
        default -> {
          // a gzip bomb: 64 MB of zeros in 64 KB
          body = null;
          encoding = "gzip";
        }
      }
      if (encoding == null) {
        body =
            ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(
                    ResourceMetrics.newBuilder()
                        .addScopeMetrics(
                            ScopeMetrics.newBuilder()
                                .addMetrics(
                                    Metric.newBuilder()
                                        .setName("tillwatch_hostile_gauge")
                                        .setGauge(g))))
                .build()
                .toByteArray();
      } else {
        body = GZIP_BOMB;
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/x-protobuf")
              .header("Authorization", "Bearer load-token-hostile-0123456789")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (encoding != null) {
        b.header("Content-Encoding", encoding);
      }
      try {
        int status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        tally.attacks.incrementAndGet();
        if (status >= 400 && status < 500) {
          tally.attacksRefused.incrementAndGet();
        }
      } catch (IOException | InterruptedException e) {
        tally.attacks.incrementAndGet();
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static final byte[] GZIP_BOMB = gzipZeros(64 << 20);

  private static byte[] gzipZeros(int size) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        byte[] zeros = new byte[1 << 16];
        for (int i = 0; i < size; i += zeros.length) {
          z.write(zeros);
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** 200 connections that keep opening and trickling header lines, never finishing a request. */
  private static void slowloris(String base, AtomicBoolean stop, List<Socket> open) {
    URI uri = URI.create(base);
    Map<Socket, OutputStream> outs = new java.util.HashMap<>();
    while (!stop.get()) {
      outs.entrySet().removeIf(e -> e.getKey().isClosed());
      while (outs.size() < 200) {
        try {
          Socket s = new Socket();
          s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
          OutputStream o = s.getOutputStream();
          o.write("POST /v1/metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
          outs.put(s, o);
          synchronized (open) {
            open.add(s);
          }
        } catch (IOException e) {
          break;
        }
      }
      for (Map.Entry<Socket, OutputStream> e : outs.entrySet()) {
        try {
          e.getValue().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException closed) {
          try {
            e.getKey().close();
          } catch (IOException ignored) {
            // already gone
          }
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
