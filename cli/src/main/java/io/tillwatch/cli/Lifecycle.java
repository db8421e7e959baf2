package io.tillwatch.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a long-lived command until SIGTERM or Ctrl-C (or a time limit), then stops it gracefully and
 * exits 0 (the JVM's default after a signal would be 143).
 */
final class Lifecycle {
  private static final AtomicBoolean EXITING = new AtomicBoolean();

  private Lifecycle() {}

  /**
   * Runs {@code reload} on each SIGHUP, as Prometheus reloads its configuration (on a thread of its
   * own: a signal handler must return at once).
   */
  @SuppressWarnings("restriction")
  static void onHangup(Runnable reload) {
    sun.misc.Signal.handle(
        new sun.misc.Signal("HUP"),
        signal -> Thread.ofPlatform().name("tillwatch-reload").start(reload));
  }

  /** Exits with {@code code} without running a graceful stop. */
  static void exit(int code) {
    EXITING.set(true);
    System.exit(code);
  }

  /**
   * Blocks until a signal (or {@code limit}), then runs {@code stop}, waiting at most {@code grace}
   * for it, and exits 0. Never returns.
   */
  static void serve(Runnable stop, Duration grace, Optional<Duration> limit) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (EXITING.get()) {
                    return;
                  }
                  try {
                    Thread worker = Thread.ofPlatform().start(stop);
                    worker.join(grace.toMillis());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(0);
                  }
                },
                "tillwatch-shutdown"));
    try {
      CountDownLatch forever = new CountDownLatch(1);
      if (limit.isPresent()) {
        forever.await(limit.get().toMillis(), TimeUnit.MILLISECONDS);
        System.exit(0); // runs the graceful stop above
      } else {
        forever.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
