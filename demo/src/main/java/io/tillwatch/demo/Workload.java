package io.tillwatch.demo;

import io.tillwatch.sandbox.ReplicatedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo's synthetic shop: a few orders a second on the primary; every 90 seconds a 30-second
 * pause of WAL replay on the standby, so lag rises and falls where a user can see it; and in every
 * 5 minutes, from the first minute on, a 2-minute break of the standby's stream, so the alert for
 * it fires and resolves.
 */
final class Workload {
  private static final long CYCLE_MS = 90_000;
  private static final long PAUSE_MS = 30_000;
  private static final long BREAK_CYCLE_MS = 300_000;
  private static final long BREAK_FROM_MS = 60_000;
  private static final long BREAK_UNTIL_MS = 180_000;

  private final ReplicatedPostgres cluster;
  private final Thread thread;
  private volatile boolean running = true;

  private Workload(ReplicatedPostgres cluster) {
    this.cluster = cluster;
    this.thread = Thread.ofVirtual().name("demo-workload").unstarted(this::run);
  }

  static Workload start(ReplicatedPostgres cluster) {
    cluster
        .primary()
        .execute(
            "CREATE TABLE IF NOT EXISTS demo_orders (id bigserial PRIMARY KEY, store int, amount numeric,"
                + " lines text, created timestamptz DEFAULT now())");
    Workload w = new Workload(cluster);
    w.thread.start();
    return w;
  }

  private void run() {
    long started = System.currentTimeMillis();
    boolean paused = false;
    boolean broken = false;
    try (Connection c = cluster.primary().connect();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO demo_orders (store, amount, lines) VALUES (?, ?, repeat('x', ?))")) {
      while (running) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        insert.setInt(1, r.nextInt(1, 40));
        insert.setBigDecimal(2, java.math.BigDecimal.valueOf(r.nextInt(100, 20_000), 2));
        insert.setInt(3, r.nextInt(2_000, 20_000));
        insert.executeUpdate();
        long inCycle = (System.currentTimeMillis() - started) % CYCLE_MS;
        boolean shouldPause = inCycle >= CYCLE_MS - PAUSE_MS;
        if (shouldPause != paused) {
          setReplayPaused(shouldPause);
          paused = shouldPause;
        }
        long inBreakCycle = (System.currentTimeMillis() - started) % BREAK_CYCLE_MS;
        boolean shouldBreak = inBreakCycle >= BREAK_FROM_MS && inBreakCycle < BREAK_UNTIL_MS;
        if (shouldBreak != broken) {
          if (shouldBreak) {
            cluster.breakStream();
          } else {
            if (paused) { // a paused standby asks for no WAL: it would never stream again
              setReplayPaused(false);
              paused = false;
            }
            cluster.repairStream();
          }
          broken = shouldBreak;
        }
        Thread.sleep(r.nextInt(100, 400));
      }
    } catch (SQLException | RuntimeException e) {
      if (running) {
        System.err.println("demo workload stopped: " + firstLine(e));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (broken) {
        try {
          cluster.repairStream();
        } catch (RuntimeException e) {
          // the sandbox is being removed
        }
      }
      if (paused) {
        try {
          setReplayPaused(false);
        } catch (RuntimeException e) {
          // the sandbox is being removed
        }
      }
    }
  }

  private void setReplayPaused(boolean pause) {
    try (Connection c = cluster.standby().connect();
        Statement s = c.createStatement()) {
      s.execute(pause ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()");
    } catch (SQLException e) {
      throw new IllegalStateException("standby: " + e.getMessage(), e);
    }
  }

  /** An error's first line: a server's log attached to a message stays out of the demo's output. */
  static String firstLine(Throwable e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
