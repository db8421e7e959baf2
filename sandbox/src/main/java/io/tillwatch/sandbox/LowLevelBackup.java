package io.tillwatch.sandbox;

import io.tillwatch.localpg.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A standby made without {@code pg_basebackup}: PostgreSQL's low-level base backup API ({@code
 * pg_backup_start}, a file copy, {@code pg_backup_stop}) behind a physical slot that retains the
 * WAL the standby then streams.
 */
final class LowLevelBackup {
  /** Directories whose contents a base backup leaves out (PostgreSQL's backup docs). */
  private static final Set<String> EMPTIED =
      Set.of(
          "pg_wal",
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans");

  private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts");

  private LowLevelBackup() {}

  /** Copies the running primary into {@code target}, ready to start as a standby. */
  static void copy(PostgresServer primary, Path target, String slot) {
    try (Connection c = primary.connect();
        Statement st = c.createStatement()) {
      // reserve WAL from now on, so that everything after the backup's start stays available
      st.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
      st.execute("SELECT pg_backup_start('tillwatch-sandbox', true)");
      copyTree(primary.dataDir(), target);
      String label;
      try (ResultSet rs = st.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
        rs.next();
        label = rs.getString(1);
      }
      Files.writeString(target.resolve("backup_label"), label, StandardCharsets.UTF_8);
      Files.createFile(target.resolve("standby.signal"));
      Files.createDirectories(target.resolve("pg_wal").resolve("archive_status"));
    } catch (SQLException e) {
      throw new IllegalStateException("low-level base backup: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("low-level base backup into " + target, e);
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path to = target.resolve(source.relativize(dir).toString());
            Files.createDirectories(to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
            boolean emptied =
                dir.getParent() != null
                    && dir.getParent().equals(source)
                    && EMPTIED.contains(dir.getFileName().toString());
            return emptied ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String name = file.getFileName().toString();
            if (SKIPPED.contains(name) || name.startsWith("pgsql_tmp")) {
              return FileVisitResult.CONTINUE;
            }
            try {
              Files.copy(
                  file,
                  target.resolve(source.relativize(file).toString()),
                  StandardCopyOption.COPY_ATTRIBUTES);
            } catch (NoSuchFileException gone) {
              // removed while we copied (a temporary file): WAL replay recreates what matters
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }
}
