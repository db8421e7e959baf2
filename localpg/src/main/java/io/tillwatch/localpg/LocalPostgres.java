package io.tillwatch.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A PostgreSQL server of its own in a directory: created there on first use ({@code initdb}, a
 * random superuser password kept in {@code superuser.password}, mode 0600) and started again on the
 * same data later. Durable settings (fsync on): it is where the collector keeps samples when no
 * database is configured.
 */
public final class LocalPostgres {
  public static final String PASSWORD_FILE = "superuser.password";

  private LocalPostgres() {}

  /**
   * Starts PostgreSQL on {@code home/pgdata}, creating it when absent, on a free loopback port.
   *
   * @param bin server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres})
   * @param home the directory that holds the data, the password and the log
   * @param settings extra {@code postgresql.conf} lines for a new data directory
   */
  public static PostgresServer open(Path bin, Path home, List<String> settings) {
    try {
      Files.createDirectories(home);
      requireReachable(home.toAbsolutePath());
      Path dataDir = home.resolve("pgdata");
      Path passwordFile = home.resolve(PASSWORD_FILE);
      String password;
      if (Files.exists(dataDir.resolve("PG_VERSION"))) {
        password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
      } else {
        password = UUID.randomUUID().toString();
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        Processes.handOver(home, Processes.POSTGRES_USER);
        initdb(bin, dataDir, passwordFile);
        Files.writeString(
            dataDir.resolve("postgresql.conf"),
            "\n# tillwatch\n" + String.join("\n", settings) + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.APPEND);
      }
      clearStalePid(dataDir);
      PostgresServer server = new PostgresServer(bin, dataDir, FreePorts.next(), password);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare PostgreSQL in " + home, e);
    }
  }

  /** Removes the pid file of a server that was killed; refuses when that server still runs. */
  private static void clearStalePid(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    String first =
        Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
    try {
      long pid = Long.parseLong(first.trim());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IllegalStateException(
            "PostgreSQL already runs on "
                + dataDir
                + " (pid "
                + pid
                + "): is another collector using this data directory?");
      }
    } catch (NumberFormatException e) {
      // not a pid: a broken file, left by a crash
    }
    Files.delete(pidFile);
  }

  /** As root the server runs as another user, who must be able to walk down to {@code home}. */
  private static void requireReachable(Path home) throws IOException {
    if (!Processes.runningAsRoot()) {
      return;
    }
    for (Path p = home.getParent(); p != null; p = p.getParent()) {
      if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalStateException(
            "PostgreSQL runs as user '"
                + Processes.POSTGRES_USER
                + "', which cannot enter "
                + p
                + " (mode "
                + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                + "): put the data directory where that user can reach it"
                + " (e.g. /var/lib/tillwatch), or run as a user other than root");
      }
    }
  }

  /** {@code initdb} of a UTF-8, C-locale cluster with password authentication over TCP. */
  public static void initdb(Path bin, Path dataDir, Path passwordFile) {
    Processes.run(
        Processes.asUser(
            Processes.POSTGRES_USER,
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                PostgresServer.SUPERUSER,
                "--pwfile=" + passwordFile,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C")),
        Map.of(),
        Duration.ofSeconds(120));
  }
}
