package io.tillwatch.sandbox;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.localpg.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A PostgreSQL primary and one streaming standby (physical replication slot, {@code pg_basebackup
 * -R}) in a temporary directory, from the machine's binaries. {@link #close()} stops both and
 * removes the directory.
 */
public final class ReplicatedPostgres implements AutoCloseable {
  /** The standby's {@code application_name} and its replication slot on the primary. */
  public static final String STANDBY_NAME = "standby1";

  private static final List<String> SETTINGS =
      List.of(
          "fsync=off",
          "synchronous_commit=off",
          "full_page_writes=off",
          "shared_buffers=16MB",
          "max_connections=100",
          "wal_receiver_status_interval=1s",
          "wal_receiver_timeout=10s",
          "wal_sender_timeout=10s",
          // archiving on but paused (empty command): tests and tools set archive_command by reload
          "archive_mode=on",
          "archive_command = ''");

  private final Path baseDir;
  private final PostgresServer primary;
  private final PostgresServer standby;

  private ReplicatedPostgres(Path baseDir, PostgresServer primary, PostgresServer standby) {
    this.baseDir = baseDir;
    this.primary = primary;
    this.standby = standby;
  }

  /**
   * Creates and starts a primary and a standby streaming from it.
   *
   * @param bin PostgreSQL's server binaries ({@code initdb}, {@code pg_ctl}; with {@code
   *     pg_basebackup} when present, else a low-level base backup)
   */
  public static ReplicatedPostgres start(Path bin) {
    for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
      if (!Files.isExecutable(bin.resolve(tool))) {
        throw new IllegalStateException(
            "no " + tool + " in " + bin + ": install Debian's postgresql package");
      }
    }
    Path base;
    try {
      base = Files.createTempDirectory("tillwatch-pg");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    String password = UUID.randomUUID().toString();
    PostgresServer primary = null;
    PostgresServer standby = null;
    try {
      Path pwfile = base.resolve("pwfile");
      Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
      Processes.handOver(base, Processes.POSTGRES_USER);
      Path primaryDir = base.resolve("primary");
      LocalPostgres.initdb(bin, primaryDir, pwfile);
      Files.writeString(
          primaryDir.resolve("postgresql.conf"),
          "\n# tillwatch sandbox\n" + String.join("\n", SETTINGS) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      primary = new PostgresServer(bin, primaryDir, FreePorts.next(), password);
      primary.start();

      Path standbyDir = base.resolve("standby");
      if (Files.isExecutable(bin.resolve("pg_basebackup"))) {
        baseBackup(bin, primary, standbyDir, password);
      } else {
        LowLevelBackup.copy(primary, standbyDir, STANDBY_NAME);
        Processes.handOver(standbyDir, Processes.POSTGRES_USER);
      }
      Files.writeString(
          standbyDir.resolve("postgresql.auto.conf"),
          "primary_conninfo = '"
              + conninfo(primary.port(), password)
              + "'\n"
              + "primary_slot_name = '"
              + STANDBY_NAME
              + "'\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      standby = new PostgresServer(bin, standbyDir, FreePorts.next(), password);
      standby.start();
      ReplicatedPostgres cluster = new ReplicatedPostgres(base, primary, standby);
      cluster.awaitStreaming(Duration.ofSeconds(60));
      return cluster;
    } catch (IOException | RuntimeException e) {
      String logs =
          (primary != null ? "\nprimary log:\n" + primary.log() : "")
              + (standby != null ? "\nstandby log:\n" + standby.log() : "");
      quietly(standby);
      quietly(primary);
      Processes.deleteTree(base);
      throw new IllegalStateException(
          "cannot start the PostgreSQL sandbox: " + e.getMessage() + logs, e);
    }
  }

  /** {@code pg_basebackup -R} through a new physical slot. */
  private static void baseBackup(
      Path bin, PostgresServer primary, Path standbyDir, String password) {
    Processes.run(
        Processes.asUser(
            Processes.POSTGRES_USER,
            List.of(
                bin.resolve("pg_basebackup").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(primary.port()),
                "-U",
                PostgresServer.SUPERUSER,
                "-D",
                standbyDir.toString(),
                "-X",
                "stream",
                "-C",
                "-S",
                STANDBY_NAME,
                "-R",
                "--no-sync",
                "-c",
                "fast")),
        Map.of("PGPASSWORD", password),
        Duration.ofSeconds(120));
  }

  private static String conninfo(int port, String password) {
    return "host=127.0.0.1 port="
        + port
        + " user="
        + PostgresServer.SUPERUSER
        + " password="
        + password
        + " application_name="
        + STANDBY_NAME;
  }

  /** The primary. */
  public PostgresServer primary() {
    return primary;
  }

  /** The standby, streaming from the primary through slot {@value #STANDBY_NAME}. */
  public PostgresServer standby() {
    return standby;
  }

  /** Waits until the primary sees its standby streaming. */
  public void awaitStreaming(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      String n =
          primary.queryString(
              "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND application_name = '"
                  + STANDBY_NAME
                  + "'");
      if ("1".equals(n)) {
        return;
      }
      sleep(200);
    }
    throw new IllegalStateException(
        "the standby did not start streaming within " + timeout + "\n" + standby.log());
  }

  /**
   * Breaks the stream as a firewall or a wrong setting would: the standby's {@code
   * primary_conninfo} points at a closed port and its WAL receiver is terminated.
   */
  public void breakStream() {
    int closed = FreePorts.next();
    standby.execute(
        "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port="
            + closed
            + " connect_timeout=2'",
        "SELECT pg_reload_conf()");
    standby.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'walreceiver'");
  }

  /** Points the standby at its primary again and waits until it streams. */
  public void repairStream() {
    standby.execute(
        "ALTER SYSTEM SET primary_conninfo = '"
            + conninfo(primary.port(), primary.superuserPassword())
            + "'",
        "SELECT pg_reload_conf()");
    awaitStreaming(Duration.ofSeconds(60));
  }

  /**
   * Freezes the primary's WAL sender (SIGSTOP) as a silently dropped route would: the standby's
   * receiver keeps saying {@code streaming} until {@code wal_receiver_timeout} (10 s here) while
   * nothing arrives. Closing the result thaws it (SIGCONT).
   */
  public AutoCloseable freezeWalSender() {
    String pid =
        primary.queryString(
            "SELECT pid FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME + "'");
    if (pid == null) {
      throw new IllegalStateException("no WAL sender for " + STANDBY_NAME);
    }
    Processes.run(List.of("kill", "-STOP", pid), Map.of(), Duration.ofSeconds(10));
    return () -> Processes.run(List.of("kill", "-CONT", pid), Map.of(), Duration.ofSeconds(10));
  }

  /** Writes about {@code bytes} of WAL on the primary. */
  public void writeWal(long bytes) {
    primary.execute(
        "CREATE TABLE IF NOT EXISTS tillwatch_sandbox_load (id bigserial, payload text)",
        "INSERT INTO tillwatch_sandbox_load (payload) SELECT repeat('x', 900) FROM generate_series(1, "
            + Math.max(1, bytes / 1000)
            + ")");
  }

  @Override
  public void close() {
    quietly(standby);
    quietly(primary);
    Processes.deleteTree(baseDir);
  }

  private static void quietly(PostgresServer server) {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (RuntimeException e) {
      // the directory is removed next; a server that would not stop is killed with it
      System.err.println("sandbox: " + e.getMessage());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
