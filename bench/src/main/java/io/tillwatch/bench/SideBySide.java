package io.tillwatch.bench;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.sandbox.RedisServer;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Macro benchmark: the agent against Debian's {@code prometheus-postgres-exporter} and {@code
 * prometheus-redis-exporter} on the same real PostgreSQL primary (with a streaming standby) and the
 * same Redis, in one run. A Prometheus-like client asks every process for {@code /metrics} once per
 * cycle; the exporters collect on each request, the agent on its own interval set to the cycle
 * length. Reported: CPU seconds (user + system, from {@code /proc/<pid>/stat}) per 1000 cycles and
 * resident memory of each process.
 *
 * <p>Usage: {@code SideBySide <tillwatch.jar> [cycles=1000] [cycleMillis=100] [javaOpts...]}
 */
public final class SideBySide {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private SideBySide() {}

  /** One measured process and the URL of its exposition. */
  private record Measured(String name, Process process, URI metrics) {
    long cpuTicks() throws IOException {
      return ProcStat.cpuTicks(process.pid());
    }

    long rssKiB() throws IOException {
      return ProcStat.rssKiB(process.pid());
    }
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int cycleMillis = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    List<String> javaOpts = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Path dir = Files.createTempDirectory("tillwatch-sidebyside");
    List<Process> started = new ArrayList<>();
    try (ReplicatedPostgres pg = ReplicatedPostgres.start(pgBin);
        RedisServer redis =
            RedisServer.start(Path.of("/usr/bin/redis-server"), List.of("maxmemory 64mb"))) {
      pg.primary().createMonitorRole("monitor", "bench");
      int agentPort = FreePorts.next();
      int pgExporterPort = FreePorts.next();
      int redisExporterPort = FreePorts.next();
      Path config = dir.resolve("estate.yaml");
      Files.writeString(config, estate(agentPort, cycleMillis, pg, redis));

      List<String> agentCmd = new ArrayList<>();
      agentCmd.add(ProcessHandle.current().info().command().orElse("java"));
      agentCmd.addAll(javaOpts);
      agentCmd.addAll(List.of("-jar", jar.toString(), "agent", "--config", config.toString()));
      ProcessBuilder agent = new ProcessBuilder(agentCmd);
      ProcessBuilder pgExporter =
          new ProcessBuilder(
              "/usr/bin/prometheus-postgres-exporter",
              "--web.listen-address=127.0.0.1:" + pgExporterPort);
      pgExporter
          .environment()
          .put(
              "DATA_SOURCE_NAME",
              "postgresql://monitor:bench@127.0.0.1:"
                  + pg.primary().port()
                  + "/postgres?sslmode=disable");
      ProcessBuilder redisExporter =
          new ProcessBuilder(
              "/usr/bin/prometheus-redis-exporter",
              "-redis.addr=redis://127.0.0.1:" + redis.port(),
              "-web.listen-address=127.0.0.1:" + redisExporterPort);
      Measured a = launch("tillwatch agent", agent, agentPort, dir, started);
      Measured p = launch("postgres_exporter", pgExporter, pgExporterPort, dir, started);
      Measured r = launch("redis_exporter", redisExporter, redisExporterPort, dir, started);
      List<Measured> all = List.of(a, p, r);

      HttpClient http = HttpClient.newHttpClient();
      for (Measured m : all) {
        awaitUp(http, m);
      }
      run(http, all, cycles / 10, cycleMillis); // warm-up: JIT, connections, caches
      long[] cpu0 = new long[all.size()];
      for (int i = 0; i < all.size(); i++) {
        cpu0[i] = all.get(i).cpuTicks();
      }
      long agentScrapes0 = agentScrapes(http, a);
      long[] rssSum = new long[all.size()];
      long[] rssMax = new long[all.size()];
      int[] series = new int[all.size()];
      long t0 = System.nanoTime();
      for (int c = 0; c < cycles; c++) {
        long due = t0 + (long) c * cycleMillis * 1_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        for (int i = 0; i < all.size(); i++) {
          series[i] = scrape(http, all.get(i));
          if (c % 10 == 0) {
            long rss = all.get(i).rssKiB();
            rssSum[i] += rss;
            rssMax[i] = Math.max(rssMax[i], rss);
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long agentCycles = (agentScrapes(http, a) - agentScrapes0) / 2; // two targets a cycle
      System.out.printf(
          Locale.ROOT,
          "%d cycles of %d ms in %.1f s; the agent collected both targets %d times%n",
          cycles,
          cycleMillis,
          seconds,
          agentCycles);
      System.out.printf(
          Locale.ROOT,
          "%-18s %12s %16s %14s %14s %8s%n",
          "process",
          "CPU s",
          "CPU s/1000 cyc",
          "RSS mean MiB",
          "RSS max MiB",
          "series");
      double[] perThousand = new double[all.size()];
      for (int i = 0; i < all.size(); i++) {
        double cpu = (all.get(i).cpuTicks() - cpu0[i]) / (double) TICKS_PER_SECOND;
        long collections = i == 0 ? agentCycles : cycles;
        perThousand[i] = cpu * 1000.0 / Math.max(1, collections);
        System.out.printf(
            Locale.ROOT,
            "%-18s %12.2f %16.2f %14.1f %14.1f %8d%n",
            all.get(i).name(),
            cpu,
            perThousand[i],
            rssSum[i] / 1024.0 / Math.max(1, (cycles + 9) / 10),
            rssMax[i] / 1024.0,
            series[i]);
      }
      System.out.printf(
          Locale.ROOT,
          "agent CPU / exporters' CPU together: %.2f%n",
          perThousand[0] / (perThousand[1] + perThousand[2]));
    } finally {
      for (Process p : started) {
        p.destroy();
        p.waitFor();
      }
    }
  }

  private static String estate(
      int port, int cycleMillis, ReplicatedPostgres pg, RedisServer redis) {
    return """
        agent:
          listen: 127.0.0.1:%d
          interval: %dms
          timeout: %dms
        tenants:
          - id: bench
            tier: shared
            timezone: UTC
            targets:
              - type: postgres
                name: pg-primary
                url: %s
                user: monitor
                password: bench
              - type: redis
                name: sessions
                url: redis://127.0.0.1:%d
        """
        .formatted(port, cycleMillis, cycleMillis, pg.primary().jdbcUrl("postgres"), redis.port());
  }

  private static Measured launch(
      String name, ProcessBuilder builder, int port, Path dir, List<Process> started)
      throws IOException {
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name.replace(' ', '-') + ".log").toFile())
            .start();
    started.add(process);
    return new Measured(name, process, URI.create("http://127.0.0.1:" + port + "/metrics"));
  }

  private static void awaitUp(HttpClient http, Measured m) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String body =
            http.send(
                    HttpRequest.newBuilder(m.metrics()).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        if (body.contains("tillwatch_target_up{") || !m.name().startsWith("tillwatch")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(m.name() + " did not answer on " + m.metrics());
  }

  private static void run(HttpClient http, List<Measured> all, int cycles, int cycleMillis)
      throws Exception {
    for (int c = 0; c < cycles; c++) {
      for (Measured m : all) {
        scrape(http, m);
      }
      Thread.sleep(cycleMillis);
    }
  }

  /** One scrape; the number of series in the answer. */
  private static int scrape(HttpClient http, Measured m) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(m.metrics()).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(m.name() + " answered " + response.statusCode());
    }
    return (int) response.body().lines().filter(l -> !l.isEmpty() && l.charAt(0) != '#').count();
  }

  /** Scrapes the agent has made so far, from its own timer of scrapes. */
  private static long agentScrapes(HttpClient http, Measured agent) throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(agent.metrics()).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(l -> l.startsWith("tillwatch_agent_scrape_duration_seconds_count{"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
