package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.collector.Backend;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed ({@code kill -9}) while it writes its push buffer, again and again: the next
 * start reads what the kills left, and every scrape whose flush had returned reaches storage once;
 * a scrape cut by a kill is there whole or not at all.
 */
class AgentCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  static final int PER_SCRAPE = 50;
  private static final String TOKEN = "agent-crash-token-0123456789";
  private static final int ROUNDS = 6;
  private static final int PER_ROUND = 2000;

  @TempDir Path dir;

  /** The scrapes a writer reported flushed, one number a line (a last line may be cut). */
  private static Set<Integer> reported(Path report) throws java.io.IOException {
    Set<Integer> out = new java.util.HashSet<>();
    if (!Files.exists(report)) {
      return out;
    }
    String text = Files.readString(report);
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (i == lines.length - 1 && !text.endsWith("\n")) {
        break; // cut by the kill
      }
      if (!lines[i].isBlank()) {
        out.add(Integer.parseInt(lines[i].trim()));
      }
    }
    return out;
  }

  @Test
  @Timeout(240)
  void everyFlushedScrapeArrivesOnceAfterKillsInTheMiddleOfWrites() throws Exception {
    Path buffer = dir.resolve("buffer");
    long base = System.currentTimeMillis() - 4 * 3600_000L;
    int deadPort = FreePorts.next();
    Set<Integer> flushed = ConcurrentHashMap.newKeySet();
    int tmpLeft = 0;
    for (int r = 0; r < ROUNDS; r++) {
      int first = r * PER_ROUND;
      Path report = dir.resolve("flushed" + r + ".txt");
      Process p =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  BufferWriter.class.getName(),
                  buffer.toString(),
                  Integer.toString(first),
                  Long.toString(base),
                  Integer.toString(deadPort),
                  Integer.toString(first + PER_ROUND - 1),
                  report.toString())
              .redirectError(dir.resolve("writer" + r + ".err").toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> reported(report).size() >= 3 || !p.isAlive());
      assertThat(p.isAlive())
          .as("writer %d: %s", r, Files.readString(dir.resolve("writer" + r + ".err")))
          .isTrue();
      // at a moment the writer cannot know: in a write, a force, a rename or between them
      Thread.sleep(ThreadLocalRandom.current().nextInt(0, 400));
      p.destroyForcibly(); // SIGKILL
      p.waitFor();
      flushed.addAll(reported(report));
      try (Stream<Path> files = Files.list(buffer)) {
        tmpLeft += (int) files.filter(f -> f.toString().endsWith(".tmp")).count();
      }
    }
    assertThat(flushed.size()).isGreaterThanOrEqualTo(ROUNDS * 3);

    // the agent starts again, this time with its collector there
    String db = PG.createDatabase("agentcrash"); // its URL
    try (Backend collector = TestCollector.start(PG.server(), db, 0, TOKEN, Set.of("acme"));
        Pusher agent =
            new Pusher(
                    new PushConfig(
                        URI.create("http://127.0.0.1:" + collector.port() + "/v1/metrics"),
                        Secret.of(TOKEN),
                        512L * 1000 * 1000,
                        buffer),
                    new SimpleMeterRegistry())
                .start()) {
      // no half-written file is left or taken for a batch
      try (Stream<Path> files = Files.list(buffer)) {
        assertThat(files.filter(f -> f.toString().endsWith(".tmp"))).isEmpty();
      }
      await().atMost(Duration.ofSeconds(120)).until(() -> agent.buffer().size() == 0);
      assertThat(agent.droppedSamples()).isZero();
    }
    Map<Long, Long> perScrape = new HashMap<>();
    long rows = 0;
    try (Connection conn = PG.server().connect("agentcrash");
        Statement st = conn.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT (extract(epoch FROM x.time) * 1000)::bigint, count(*),"
                    + " count(DISTINCT x.series_id) FROM samples x"
                    + " JOIN series s ON s.id = x.series_id"
                    + " WHERE s.metric = 'crash_agent_gauge' GROUP BY 1")) {
      while (rs.next()) {
        perScrape.put((rs.getLong(1) - base) / 1000, rs.getLong(2));
        assertThat(rs.getLong(3)).as("a series twice at one time").isEqualTo(rs.getLong(2));
        rows += rs.getLong(2);
      }
    }
    for (int n : flushed) {
      assertThat(perScrape.get((long) n)).as("flushed scrape %d", n).isEqualTo((long) PER_SCRAPE);
    }
    // a scrape the kill cut is all there or not at all, and only scrapes the writers made
    List<Long> unreported = new ArrayList<>();
    for (Map.Entry<Long, Long> e : perScrape.entrySet()) {
      assertThat(e.getValue()).as("scrape %d", e.getKey()).isEqualTo((long) PER_SCRAPE);
      assertThat(e.getKey() % PER_ROUND).isLessThan(PER_ROUND);
      if (!flushed.contains((int) (long) e.getKey())) {
        unreported.add(e.getKey());
      }
    }
    // at most the one in flight at each kill: written, its "flushed" line not yet printed
    assertThat(unreported).hasSizeLessThanOrEqualTo(ROUNDS);
    assertThat(rows).isEqualTo((long) perScrape.size() * PER_SCRAPE);
    System.out.printf(
        "agent killed %d times: %d scrapes flushed, %d stored (%d cut before their report),"
            + " %d temporary files left by kills%n",
        ROUNDS, flushed.size(), perScrape.size(), unreported.size(), tmpLeft);
  }
}
