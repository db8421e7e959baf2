package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.push.OtlpEncoder;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.collector.Backend;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL killed ({@code kill -9}, the server and its backends) or frozen ({@code SIGSTOP})
 * under an agent's steady push, then back: every sample the agent queued is stored exactly once —
 * acknowledged equals stored, none twice, none dropped.
 */
class DatabaseCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final String TOKEN = "agent-token-0123456789";
  private static final Metric QUEUE = Metric.gauge("queue_age", "Age of the oldest job.");
  @TempDir Path dir;

  /** Kills the server and every backend of it at once, as the kernel's OOM killer would. */
  private static void crash(PostgresServer pg) throws Exception {
    long pid =
        Long.parseLong(Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).trim());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
    all.add(postmaster);
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : all) {
      p.onExit().get();
    }
  }

  private static long count(String db, String sql) {
    return Long.parseLong(PG.server().queryString(db, sql));
  }

  /** A fault of storage, and what the agent's buffer holds while it lasts. */
  private interface Fault {
    void apply(PostgresServer pg) throws Exception;
  }

  @Test
  @Timeout(180)
  void killedUnderIngestItLosesNothingAndStoresNothingTwice() throws Exception {
    run(
        "crash",
        pg -> {
          crash(pg);
          Thread.sleep(5_000); // the agent buffers, the collector answers 503
          pg.start();
        });
  }

  /**
   * Frozen for {@code tillwatch.faults.freeze_seconds} (20 here, 120 in {@code bench/faults.sh}).
   */
  @Test
  @Timeout(600)
  void frozenUnderIngestItLosesNothingAndStoresNothingTwice() throws Exception {
    long freeze = Long.getLong("tillwatch.faults.freeze_seconds", 20);
    run(
        "frozen",
        pg -> {
          // SIGSTOP: the server holds its connections and answers nothing (slow storage at its
          // worst), then SIGCONT
          long pid = postmaster(pg);
          signal("STOP", pid);
          try {
            Thread.sleep(freeze * 1000);
          } finally {
            signal("CONT", pid);
          }
        });
  }

  private static long postmaster(PostgresServer pg) throws Exception {
    return Long.parseLong(Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).trim());
  }

  /** Sends a signal to the server and every backend of it. */
  private static void signal(String sig, long pid) throws Exception {
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    postmaster.descendants().forEach(p -> pids.add(p.pid()));
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + sig));
    pids.forEach(p -> cmd.add(Long.toString(p)));
    assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).isZero();
  }

  private void run(String db, Fault fault) throws Exception {
    PG.createDatabase(db);
    try (Backend collector =
        TestCollector.start(PG.server(), PG.server().jdbcUrl(db), 0, TOKEN, Set.of("*"))) {
      Pusher pusher =
          new Pusher(
                  new PushConfig(
                      URI.create("http://127.0.0.1:" + collector.port() + "/v1/metrics"),
                      Secret.of(TOKEN),
                      64L * 1000 * 1000,
                      dir.resolve("buffer")),
                  new SimpleMeterRegistry())
              .start();
      AtomicBoolean feeding = new AtomicBoolean(true);
      Thread feeder =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (feeding.get()) {
                      List<Sample> samples = new ArrayList<>();
                      for (int i = 0; i < 20; i++) {
                        samples.add(QUEUE.sample(Labels.of("tenant", "acme", "job", "j" + i), i));
                      }
                      pusher.add(new OtlpEncoder.Scrape(System.currentTimeMillis(), samples));
                      pusher.flush();
                      try {
                        Thread.sleep(50);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> pusher.sentSamples() > 500);
        long before = pusher.sentSamples();
        fault.apply(PG.server());
        assertThat(pusher.queuedSamples() - pusher.sentSamples())
            .as("held in the agent's buffer meanwhile")
            .isGreaterThan(100);
        assertThat(before).isPositive();
        Thread.sleep(3_000);
      } finally {
        feeding.set(false);
        feeder.join();
      }
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> pusher.buffer().size() == 0 && pusher.buffer().heldSize() == 0);
      long queued = pusher.queuedSamples();
      long stored = count(db, "SELECT count(*) FROM samples");
      assertThat(pusher.droppedSamples()).isZero();
      assertThat(pusher.sentSamples()).isEqualTo(queued);
      assertThat(stored).as("every sample acknowledged is stored").isEqualTo(queued);
      assertThat(count(db, "SELECT count(*) FROM (SELECT DISTINCT series_id, time FROM samples) d"))
          .as("none twice")
          .isEqualTo(stored);
      System.out.println(
          "DatabaseCrashIT "
              + db
              + ": "
              + queued
              + " samples queued, "
              + stored
              + " stored, 0 twice");
      pusher.close();
    }
  }
}
