package io.tillwatch.sandbox;

import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.localpg.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real pgBackRest stanza for a sandbox primary: a repository in a temporary directory, WAL
 * archiving through {@code archive-push}, and backups on request. Commands run as the user that
 * runs PostgreSQL, as pgBackRest requires.
 */
public final class PgBackRestStanza implements AutoCloseable {
  private final PostgresServer primary;
  private final String stanza;
  private final Path dir;
  private final Path config;

  private PgBackRestStanza(PostgresServer primary, String stanza, Path dir, Path config) {
    this.primary = primary;
    this.stanza = stanza;
    this.dir = dir;
    this.config = config;
  }

  /** Writes the configuration, turns on archiving into the repository and creates the stanza. */
  public static PgBackRestStanza create(PostgresServer primary, String stanza) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tillwatch-pgbackrest");
      Files.createDirectories(dir.resolve("repo"));
      Files.createDirectories(dir.resolve("lock"));
      Path config = dir.resolve("pgbackrest.conf");
      Files.writeString(
          config,
          """
          [global]
          repo1-path=%s
          lock-path=%s
          log-path=%s
          log-level-file=off
          log-level-console=warn
          start-fast=y
          compress-type=none
          repo1-retention-full=2

          [%s]
          pg1-path=%s
          pg1-port=%d
          pg1-socket-path=%s
          pg1-user=%s
          """
              .formatted(
                  dir.resolve("repo"),
                  dir.resolve("lock"),
                  dir,
                  stanza,
                  primary.dataDir(),
                  primary.port(),
                  primary.socketDirectory(),
                  PostgresServer.SUPERUSER),
          StandardCharsets.UTF_8);
      Processes.handOver(dir, Processes.POSTGRES_USER);
      Files.setPosixFilePermissions(
          dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(
          config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      PgBackRestStanza s = new PgBackRestStanza(primary, stanza, dir, config);
      primary.execute(
          "ALTER SYSTEM SET archive_command = 'pgbackrest --config="
              + config
              + " --stanza="
              + stanza
              + " archive-push %p'",
          "SELECT pg_reload_conf()");
      try {
        s.run("stanza-create");
      } catch (RuntimeException e) {
        s.close(); // archiving off again, the repository removed
        throw e;
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up pgBackRest", e);
    }
  }

  /** The configuration file ({@code --config}). */
  public Path config() {
    return config;
  }

  /** The stanza's name. */
  public String stanza() {
    return stanza;
  }

  /** Takes a backup: {@code full}, {@code diff} or {@code incr}. */
  public void backup(String type) {
    run("backup", "--type=" + type);
  }

  /** The repository's directory (repo1-path). */
  public Path repository() {
    return dir.resolve("repo");
  }

  /** Runs a pgBackRest command for this stanza as the database user; returns its output. */
  public String run(String command, String... options) {
    List<String> cmd =
        new ArrayList<>(List.of("pgbackrest", "--config=" + config, "--stanza=" + stanza));
    cmd.addAll(List.of(options));
    cmd.add(command);
    return Processes.run(
        Processes.asUser(Processes.POSTGRES_USER, cmd), Map.of(), Duration.ofMinutes(3));
  }

  @Override
  public void close() {
    try {
      primary.execute("ALTER SYSTEM SET archive_command = ''", "SELECT pg_reload_conf()");
    } catch (RuntimeException e) {
      // the primary may be gone already
    }
    Processes.deleteTree(dir);
  }
}
