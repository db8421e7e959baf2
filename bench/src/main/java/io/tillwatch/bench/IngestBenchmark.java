package io.tillwatch.bench;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.store.BinaryCopy;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * Macro benchmark: samples per second through the collector's {@code /v1/metrics} (OTLP protobuf
 * over HTTP, decode, series lookup, binary COPY, commit before the answer) against a plain binary
 * {@code COPY} of the same rows into the same PostgreSQL, in one run.
 *
 * <p>With {@code remote}, the collector also forwards everything to a real Prometheus (remote-write
 * receiver), and the run reports the collector's CPU per 1,000 samples with and without forwarding
 * (the JVM's own CPU time: Prometheus runs in its own process), waiting for the queue to drain.
 *
 * <p>With {@code replicas}, the same requests go to 1, 2 and 3 collector replicas ({@code
 * collector.cluster}) on one PostgreSQL, spread over them as a load balancer would: samples/s, and
 * the CPU of the collectors (this JVM) and of PostgreSQL (its processes) per 1,000 samples.
 *
 * <p>Usage: {@code IngestBenchmark [requests=400] [samplesPerRequest=5000] [senders=4]
 * [remote|replicas]}
 */
public final class IngestBenchmark {
  private static final String TOKEN = "bench-token-0123456789";

  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int perRequest = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    int senders = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    boolean remote = args.length > 3 && args[3].equals("remote");
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Path home = Files.createTempDirectory("tillwatch-ingest-bench");
    PostgresServer pg =
        LocalPostgres.open(
            pgBin,
            home,
            List.of("shared_buffers=256MB", "max_wal_size=4GB", "checkpoint_timeout=30min"));
    try {
      pg.execute("CREATE DATABASE ingest", "CREATE DATABASE copy");
      // the same bodies for every run: 1000 series per request, time moving on
      List<byte[]> bodies = new ArrayList<>();
      long t0 = System.currentTimeMillis() - (long) requests * 60_000L;
      for (int r = 0; r < requests; r++) {
        bodies.add(request(r, perRequest, t0 + r * 60_000L).toByteArray());
      }
      long samples = (long) requests * perRequest;
      if (remote) {
        remoteWrite(pg, bodies, samples, senders);
        return;
      }
      if (args.length > 3 && args[3].equals("replicas")) {
        System.out.printf(
            Locale.ROOT,
            "%d requests x %d samples, %d senders, collectors in one JVM, PostgreSQL beside%n",
            requests,
            perRequest,
            senders);
        for (int n = 1; n <= 3; n++) {
          pg.execute("DROP DATABASE IF EXISTS ingest", "CREATE DATABASE ingest");
          long pgTicks0 = postgresTicks();
          Run r = ingest(pg, bodies, samples, senders, List.of(), n);
          double pgMillis = (postgresTicks() - pgTicks0) * 10.0;
          System.out.printf(
              Locale.ROOT,
              "  %d replica%s: %,.0f samples/s, collectors' CPU %.2f ms and PostgreSQL's %.2f ms"
                  + " per 1,000 samples%n",
              n,
              n == 1 ? " " : "s",
              r.rate(),
              r.cpuMillisPer1000(),
              pgMillis * 1000 / samples);
        }
        return;
      }
      double ingestRate = ingest(pg, bodies, samples, senders).rate();
      double copyRate = copy(pg, requests, perRequest, t0);
      System.out.printf(
          Locale.ROOT,
          "%d requests x %d samples, %d senders%n"
              + "  /v1/metrics ingest: %,.0f samples/s%n"
              + "  plain binary COPY (batches of %d): %,.0f rows/s%n"
              + "  ratio ingest / COPY: %.2f%n",
          requests,
          perRequest,
          senders,
          ingestRate,
          perRequest,
          copyRate,
          ingestRate / copyRate);
    } finally {
      pg.close();
    }
  }

  private static ExportMetricsServiceRequest request(int r, int samples, long time) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < samples; i++) {
      int series = i % 1000;
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(attr("tenant", "tenant-" + series % 100))
              .addAttributes(attr("target", "pg-" + series))
              .addAttributes(attr("instance", "10.0." + series % 250 + ".7:5432"))
              .setTimeUnixNano((time + (i / 1000) * 1000L) * 1_000_000L)
              .setAsDouble(r * 1.5 + i));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(
                            Metric.newBuilder()
                                .setName("tillwatch_pg_replication_lag_bytes")
                                .setGauge(g))))
        .build();
  }

  /** A string attribute; the benchmarks' requests use it. */
  static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  /** What one run measured: samples/s, and the JVM's CPU per 1,000 samples (ms). */
  private record Run(double rate, double cpuMillisPer1000) {}

  /** The same ingest with and without forwarding to a real Prometheus. */
  private static void remoteWrite(PostgresServer pg, List<byte[]> bodies, long samples, int senders)
      throws Exception {
    // without and with forwarding in turn, twice: this machine's noise shows in the spread; a
    // fresh Prometheus each forwarded run, so that every sample is new to it
    List<Run> plain = new ArrayList<>();
    List<Run> forwarded = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      pg.execute("DROP DATABASE IF EXISTS ingest", "CREATE DATABASE ingest");
      plain.add(ingest(pg, bodies, samples, senders));
      pg.execute("DROP DATABASE ingest", "CREATE DATABASE ingest");
      Path queue = Files.createTempDirectory("tillwatch-remote-queue");
      try (io.tillwatch.sandbox.PrometheusServer prom =
          io.tillwatch.sandbox.PrometheusServer.start(
              "global: {}\n",
              java.util.Map.of(),
              d -> {},
              List.of(
                  "--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=400d"))) {
        forwarded.add(
            ingest(
                pg,
                bodies,
                samples,
                senders,
                List.of(
                    io.tillwatch.collector.config.RemoteWriteConfig.of(
                        prom.url().resolve("/api/v1/write"), queue))));
      }
      io.tillwatch.localpg.Processes.deleteTree(queue);
    }
    double p = (plain.get(0).cpuMillisPer1000() + plain.get(1).cpuMillisPer1000()) / 2;
    double f = (forwarded.get(0).cpuMillisPer1000() + forwarded.get(1).cpuMillisPer1000()) / 2;
    System.out.printf(
        Locale.ROOT,
        "%d requests x %d samples, %d senders, each run twice in turn%n"
            + "  without remote write: %,.0f and %,.0f samples/s,"
            + " collector CPU %.2f and %.2f ms per 1,000 samples%n"
            + "  with remote write to Prometheus 2.42 (queue drained): %,.0f and %,.0f samples/s,"
            + " collector CPU %.2f and %.2f ms per 1,000 samples%n"
            + "  CPU added by forwarding (means): %.2f ms per 1,000 samples (%.0f %%)%n",
        bodies.size(),
        samples / bodies.size(),
        senders,
        plain.get(0).rate(),
        plain.get(1).rate(),
        plain.get(0).cpuMillisPer1000(),
        plain.get(1).cpuMillisPer1000(),
        forwarded.get(0).rate(),
        forwarded.get(1).rate(),
        forwarded.get(0).cpuMillisPer1000(),
        forwarded.get(1).cpuMillisPer1000(),
        f - p,
        100 * (f / p - 1));
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Run ingest(PostgresServer pg, List<byte[]> bodies, long samples, int senders)
      throws Exception {
    return ingest(pg, bodies, samples, senders, List.of());
  }

  private static Run ingest(
      PostgresServer pg,
      List<byte[]> bodies,
      long samples,
      int senders,
      List<io.tillwatch.collector.config.RemoteWriteConfig> remotes)
      throws Exception {
    return ingest(pg, bodies, samples, senders, remotes, 0);
  }

  /**
   * CPU ticks of every PostgreSQL process on the machine (the benchmark's server and its workers).
   */
  private static long postgresTicks() throws java.io.IOException {
    long ticks = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readString(p.resolve("comm")).strip().equals("postgres")) {
            ticks += ProcStat.cpuTicks(Long.parseLong(pid));
            ticks += ProcStat.reapedChildrenTicks(Long.parseLong(pid));
          }
        } catch (java.io.IOException gone) {
          // the process ended meanwhile
        }
      }
    }
    return ticks;
  }

  /**
   * One ingest run; {@code replicas} > 0: that many collectors as replicas of one cluster on the
   * same database, the requests spread over them in turn.
   */
  private static Run ingest(
      PostgresServer pg,
      List<byte[]> bodies,
      long samples,
      int senders,
      List<io.tillwatch.collector.config.RemoteWriteConfig> remotes,
      int replicas)
      throws Exception {
    CollectorConfig config =
        new CollectorConfig(
                new HostPort("127.0.0.1", 0),
                StorageConfig.embedded(Path.of("unused")),
                Duration.ofHours(3),
                List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
                CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES)
            .withRemoteWrite(remotes);
    List<Backend> cs = new ArrayList<>();
    for (int i = 0; i < Math.max(1, replicas); i++) {
      CollectorConfig ci =
          replicas == 0
              ? config
              : config.withCluster(
                  new io.tillwatch.collector.config.ClusterConfig(
                      "r" + i, "r" + i, 64, java.util.Optional.empty()));
      cs.add(
          Backend.start(
              ci,
              pg.jdbcUrl("ingest"),
              PostgresServer.SUPERUSER,
              Secret.of(pg.superuserPassword())));
    }
    try (Backend c = cs.get(0)) {
      HttpClient http = HttpClient.newHttpClient();
      List<URI> uris = new ArrayList<>();
      for (Backend b : cs) {
        uris.add(URI.create("http://127.0.0.1:" + b.port() + "/v1/metrics"));
      }
      URI uri = uris.get(0);
      send(http, uri, bodies.get(0)); // series created, JIT warm: not measured
      AtomicInteger next = new AtomicInteger(1);
      long start = System.nanoTime();
      long cpu0 = cpuNanos();
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int i = next.getAndIncrement();
                          i < bodies.size();
                          i = next.getAndIncrement()) {
                        send(http, uris.get(i % uris.size()), bodies.get(i));
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long perRequest = samples / bodies.size();
      // forwarding is part of the cost: wait until every queue is drained
      while (remotes.size() > 0 && c.remotePending() > 0) {
        Thread.sleep(20);
      }
      double cpuMillis = (cpuNanos() - cpu0) / 1e6;
      return new Run((samples - perRequest) / seconds, cpuMillis * 1000 / (samples - perRequest));
    } finally {
      for (Backend b : cs.subList(1, cs.size())) {
        b.close();
      }
    }
  }

  private static void send(HttpClient http, URI uri, byte[] body) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/x-protobuf")
                  .header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("ingest answered " + r.statusCode());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same rows, by binary COPY in batches of one request each, into the same schema. */
  private static double copy(PostgresServer pg, int requests, int perRequest, long t0)
      throws Exception {
    // the same schema and partitions, made by the collector's own migrations
    PgStore.open(
            pg.jdbcUrl("copy"),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            StorageConfig.DEFAULT_RETENTION)
        .close();
    try (Connection c = pg.connect("copy")) {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
                      + " WHERE p.relname = 'samples'")) {
        rs.next();
      }
      ensurePartitions(pg, t0, t0 + (long) requests * 60_000L);
      c.setAutoCommit(false);
      PGConnection copy = c.unwrap(PGConnection.class);
      long start = System.nanoTime();
      for (int r = 1; r < requests; r++) {
        BinaryCopy rows = new BinaryCopy(perRequest);
        long time = t0 + r * 60_000L;
        for (int i = 0; i < perRequest; i++) {
          rows.row(time + (i / 1000) * 1000L, 1 + i % 1000, r * 1.5 + i);
        }
        copy.getCopyAPI().copyIn(PgStore.COPY, new ByteArrayInputStream(rows.finish()));
        c.commit();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return (double) (requests - 1) * perRequest / seconds;
    }
  }

  private static void ensurePartitions(PostgresServer pg, long from, long to) {
    for (long day = Math.floorDiv(from, 86_400_000L);
        day <= Math.floorDiv(to, 86_400_000L);
        day++) {
      java.time.LocalDate d = java.time.LocalDate.ofEpochDay(day);
      pg.executeIn(
          "copy",
          "CREATE TABLE IF NOT EXISTS samples_p"
              + d.toString().replace("-", "")
              + " PARTITION OF samples FOR VALUES FROM ('"
              + d
              + " 00:00:00+00') TO ('"
              + d.plusDays(1)
              + " 00:00:00+00')");
    }
  }
}
