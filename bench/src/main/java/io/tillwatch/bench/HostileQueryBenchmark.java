package io.tillwatch.bench;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.localpg.Processes;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Macro benchmark: ingest while tenants attack the query API. Senders post OTLP batches to {@code
 * /v1/metrics} without pause; first alone, then while attackers send the hostile queries of the
 * query-engine issue in a loop. Reports the samples per second committed in both phases, and for
 * each hostile query its answers (status) and slowest answer.
 *
 * <p>Usage: {@code HostileQueryBenchmark [seconds per phase=20] [senders=2] [attackers=4]}
 */
public final class HostileQueryBenchmark {
  private static final String TOKEN = "bench-token-0123456789";
  private static final int PER_REQUEST = 2_000;
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

  private static final Map<String, String> HOSTILE = new TreeMap<>();

  static {
    HOSTILE.put("subquery of 3e11 steps", q("vector(1)[3650d:1ms]"));
    HOSTILE.put("query past the timeout", q("count_over_time(vector(1)[30d:100ms])"));
    HOSTILE.put(
        "start/end that wrap a long",
        "/api/v1/query_range?query=vector(1)&start=9223372036854775&end=9223372036854775&step=1");
    HOSTILE.put("time=1e30", q("vector(1)") + "&time=1e30");
    HOSTILE.put(
        "backtracking regex",
        q(
            "label_replace(label_join(vector(1),\"x\",\""
                + "a".repeat(40)
                + "\",\"a\",\"b\"),\"y\",\"\",\"x\",\"(a*)*\\\\1b\")"));
    HOSTILE.put("invalid escape", q("x{a=\"\\x4\"}"));
    HOSTILE.put("28-day range at 1 s steps", range("sum(rate(m[5m]))", 28 * 86_400, 1));
    HOSTILE.put("every sample of the hour", q("sum(count_over_time(m[1h]))"));
  }

  private HostileQueryBenchmark() {}

  private static String q(String expr) {
    return "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
  }

  private static String range(String expr, long seconds, long step) {
    long end = System.currentTimeMillis() / 1000;
    return "/api/v1/query_range?query="
        + URLEncoder.encode(expr, StandardCharsets.UTF_8)
        + "&start="
        + (end - seconds)
        + "&end="
        + end
        + "&step="
        + step;
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int senders = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int attackers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Path home = Files.createTempDirectory("tillwatch-hostile-bench");
    PostgresServer pg =
        LocalPostgres.open(pgBin, home, List.of("shared_buffers=256MB", "max_wal_size=4GB"));
    try {
      pg.execute("CREATE DATABASE hostile");
      CollectorConfig config =
          new CollectorConfig(
              new HostPort("127.0.0.1", 0),
              new StorageConfig(
                  Optional.of(pg.jdbcUrl("hostile")),
                  PostgresServer.SUPERUSER,
                  Secret.of(pg.superuserPassword()),
                  StorageConfig.DEFAULT_RETENTION,
                  Path.of("unused")),
              Duration.ofHours(3),
              List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
              CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
              List.of(),
              false,
              Duration.ofMinutes(1),
              AlertingConfig.NONE,
              new QueryConfig(QUERY_TIMEOUT, QueryConfig.DEFAULT.maxSamples(), 20));
      try (Backend collector =
          Backend.start(
              config,
              config.storage().url().orElseThrow(),
              config.storage().user(),
              config.storage().password())) {
        URI base = URI.create("http://127.0.0.1:" + collector.port());
        double quiet = ingest(base, senders, seconds, 0, null);
        Map<String, long[]> answers = new ConcurrentHashMap<>();
        double attacked = ingest(base, senders, seconds, attackers, answers);
        System.out.printf(
            Locale.ROOT,
            "%d senders of %d samples a request, %d s a phase; query timeout %s%n",
            senders,
            PER_REQUEST,
            seconds,
            QUERY_TIMEOUT);
        System.out.printf(
            Locale.ROOT,
            "| ingest alone | ingest under %d attackers | ratio |%n|---|---|---|%n"
                + "| %,.0f samples/s | %,.0f samples/s | %.2f |%n%n",
            attackers,
            quiet,
            attacked,
            attacked / quiet);
        System.out.println("| hostile query | answers | status | slowest answer |");
        System.out.println("|---|---|---|---|");
        for (String name : HOSTILE.keySet()) {
          long[] a = answers.getOrDefault(name, new long[3]);
          System.out.printf(
              Locale.ROOT, "| %s | %d | %d | %.0f ms |%n", name, a[0], a[1], a[2] / 1e6);
        }
      }
    } finally {
      pg.close();
      Processes.deleteTree(home);
    }
  }

  /**
   * Samples/s committed over {@code seconds} by {@code senders}, while {@code attackers} send the
   * hostile queries round and round (their answers counted into {@code answers}: count, last
   * status, slowest ns).
   */
  private static double ingest(
      URI base, int senders, int seconds, int attackers, Map<String, long[]> answers)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong committed = new AtomicLong();
    AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 3_600_000L);
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      int sender = s;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get()) {
                      byte[] body = request(sender, clock.addAndGet(1)).toByteArray();
                      try {
                        HttpResponse<Void> r =
                            http.send(
                                HttpRequest.newBuilder(base.resolve("/v1/metrics"))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .header("Content-Type", "application/x-protobuf")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                          committed.addAndGet(PER_REQUEST);
                        }
                      } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                          return;
                        }
                      }
                    }
                  }));
    }
    List<String> names = new ArrayList<>(HOSTILE.keySet());
    for (int a = 0; a < attackers; a++) {
      int first = a;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = first; running.get(); i++) {
                      String name = names.get(i % names.size());
                      long t0 = System.nanoTime();
                      try {
                        HttpResponse<Void> r =
                            http.send(
                                HttpRequest.newBuilder(base.resolve(HOSTILE.get(name)))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .timeout(Duration.ofMinutes(2))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding());
                        long took = System.nanoTime() - t0;
                        answers.compute(
                            name,
                            (k, v) -> {
                              long[] n = v == null ? new long[3] : v;
                              n[0]++;
                              n[1] = r.statusCode();
                              n[2] = Math.max(n[2], took);
                              return n;
                            });
                      } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                          return;
                        }
                      }
                    }
                  }));
    }
    Thread.sleep(2_000); // warm-up, not counted
    long before = committed.get();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    double rate = (committed.get() - before) / ((System.nanoTime() - t0) / 1e9);
    running.set(false);
    for (Thread t : threads) {
      t.join(180_000);
    }
    return rate;
  }

  /** One request: {@value #PER_REQUEST} series of one sender at one time (ms). */
  private static ExportMetricsServiceRequest request(int sender, long time) {
    Metric.Builder metric = Metric.newBuilder().setName("m");
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < PER_REQUEST; i++) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .setTimeUnixNano(time * 1_000_000L)
              .setAsDouble(i)
              .addAttributes(attr("tenant", "t" + (i % 100)))
              .addAttributes(attr("series", sender + "-" + i)));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric.setGauge(g))))
        .build();
  }

  private static KeyValue attr(String k, String v) {
    return IngestBenchmark.attr(k, v);
  }
}
