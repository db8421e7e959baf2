package io.tillwatch.bench;

import io.tillwatch.localpg.FreePorts;
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
 * Macro benchmark: the agent's footprint with N PostgreSQL targets (half on a real primary, half on
 * its standby). Measures, for the distribution started as a user starts it: milliseconds from
 * launch (JVM start included) to the first {@code /metrics} answer and to every target scraped, and
 * resident memory (VmRSS) over an idle period.
 *
 * <p>Usage: {@code AgentFootprint <tillwatch.jar> [targets=50] [idleSeconds=60] [javaOpts...]}
 */
public final class AgentFootprint {
  private AgentFootprint() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]).toAbsolutePath();
    int targets = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    List<String> javaOpts = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    try (ReplicatedPostgres pg = ReplicatedPostgres.start(pgBin)) {
      pg.primary().createMonitorRole("monitor", "bench");
      int port = FreePorts.next();
      Path dir = Files.createTempDirectory("tillwatch-bench");
      Path config = dir.resolve("estate.yaml");
      Files.writeString(config, estate(port, targets, pg));
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(javaOpts);
      cmd.addAll(List.of("-jar", jar.toString(), "agent", "--config", config.toString()));
      long launched = System.nanoTime();
      Process agent =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("agent.log").toFile())
              .start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
        long firstAnswer = -1;
        long allScraped = -1;
        while (allScraped < 0 && System.nanoTime() - launched < Duration.ofSeconds(60).toNanos()) {
          try {
            String body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
            long now = System.nanoTime();
            if (firstAnswer < 0) {
              firstAnswer = now - launched;
            }
            if (body.lines()
                    .filter(l -> l.startsWith("tillwatch_target_up{") && l.endsWith(" 1.0"))
                    .count()
                == targets) {
              allScraped = now - launched;
            }
          } catch (IOException notYet) {
            // not listening yet
          }
          Thread.sleep(10);
        }
        long maxRss = 0;
        long sumRss = 0;
        int samples = 0;
        long end = System.nanoTime() + Duration.ofSeconds(idleSeconds).toNanos();
        while (System.nanoTime() < end) {
          long rss = ProcStat.rssKiB(agent.pid());
          maxRss = Math.max(maxRss, rss);
          sumRss += rss;
          samples++;
          Thread.sleep(1000);
        }
        System.out.printf(
            Locale.ROOT,
            "targets=%d  first /metrics answer: %d ms after launch  all targets up: %d ms  "
                + "RSS over %d s idle: mean %.1f MiB, max %.1f MiB  (java opts: %s)%n",
            targets,
            firstAnswer / 1_000_000,
            allScraped / 1_000_000,
            idleSeconds,
            sumRss / 1024.0 / Math.max(1, samples),
            maxRss / 1024.0,
            javaOpts.isEmpty() ? "JVM defaults" : String.join(" ", javaOpts));
      } finally {
        agent.destroy();
        agent.waitFor();
      }
    }
  }

  private static String estate(int port, int targets, ReplicatedPostgres pg) {
    StringBuilder sb =
        new StringBuilder(
            """
            agent:
              listen: 127.0.0.1:%d
              interval: 15s
              timeout: 5s
            tenants:
              - id: bench
                tier: shared
                timezone: UTC
                targets:
            """
                .formatted(port));
    for (int i = 0; i < targets; i++) {
      String url = (i % 2 == 0 ? pg.primary() : pg.standby()).jdbcUrl("postgres");
      sb.append(
          """
                - type: postgres
                  name: pg-%03d
                  url: %s
                  user: monitor
                  password: bench
          """
              .formatted(i, url));
    }
    return sb.toString();
  }
}
