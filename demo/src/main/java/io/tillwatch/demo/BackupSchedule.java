package io.tillwatch.demo;

import io.tillwatch.sandbox.PgBackRestStanza;

/** The demo's backup job: a full backup at once, then an incremental one every five minutes. */
final class BackupSchedule {
  private static final long EVERY_MS = 300_000;

  private final PgBackRestStanza stanza;
  private final Thread thread;
  private volatile boolean running = true;

  private BackupSchedule(PgBackRestStanza stanza) {
    this.stanza = stanza;
    this.thread = Thread.ofVirtual().name("demo-backups").unstarted(this::run);
  }

  static BackupSchedule start(PgBackRestStanza stanza) {
    BackupSchedule b = new BackupSchedule(stanza);
    b.thread.start();
    return b;
  }

  private void run() {
    String type = "full";
    while (running) {
      try {
        stanza.backup(type);
        type = "incr";
        for (long waited = 0; running && waited < EVERY_MS; waited += 500) {
          Thread.sleep(500);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (running) {
          System.err.println(
              "demo backup failed: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return;
      }
    }
  }

  void stop() {
    running = false; // a running backup ends before its stanza is removed
    try {
      thread.join(120_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
