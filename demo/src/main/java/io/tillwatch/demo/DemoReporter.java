package io.tillwatch.demo;

import io.tillwatch.collector.Backend;

/**
 * Prints each alert as it turns pending, fires and resolves (every 2 s), and once a minute how much
 * the collector has stored.
 */
final class DemoReporter {
  private static final long COUNTS_EVERY_MS = 60_000;

  private final Thread thread;

  private DemoReporter(Thread thread) {
    this.thread = thread;
  }

  static DemoReporter start(Backend backend) {
    DemoAlerts alerts = new DemoAlerts(backend.rules(), System.out);
    Thread t = Thread.ofPlatform().daemon().name("demo-report").start(() -> run(backend, alerts));
    return new DemoReporter(t);
  }

  private static void run(Backend backend, DemoAlerts alerts) {
    long lastCounts = System.currentTimeMillis();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(2_000);
        alerts.report();
        if (System.currentTimeMillis() - lastCounts >= COUNTS_EVERY_MS) {
          lastCounts = System.currentTimeMillis();
          printCounts(backend);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        System.err.println("tillwatch demo: " + e.getMessage());
      }
    }
  }

  private static void printCounts(Backend backend) throws Exception {
    var counts = backend.store().counts();
    long samples = backend.head().samples();
    System.out.printf(
        "tillwatch demo: stored %d series, %d samples; head %d samples (%.2f bytes a sample)%n",
        counts.series(),
        counts.samples(),
        samples,
        samples == 0 ? 0.0 : (double) backend.head().encodedBytes() / samples);
  }

  void stop() {
    thread.interrupt();
  }
}
