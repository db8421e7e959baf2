package io.tillwatch.testkit;

import io.tillwatch.localpg.EmbeddedPostgresBinaries;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real PostgreSQL primary and a streaming standby once per test class and removes them
 * after it, also when a test fails. Use as a static {@code @RegisterExtension} field.
 *
 * <p>By default the machine's binaries from system property {@code tillwatch.pg.bin} (default:
 * Debian's PostgreSQL 15); {@link #embedded()} uses the PostgreSQL bundle from Maven Central
 * instead (a newer major version, no {@code pg_basebackup}).
 */
public final class ReplicatedPostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private final boolean embedded;
  private ReplicatedPostgres cluster;
  private Path unpacked;

  public ReplicatedPostgresExtension() {
    this(false);
  }

  private ReplicatedPostgresExtension(boolean embedded) {
    this.embedded = embedded;
  }

  /** A cluster from the PostgreSQL binaries on Maven Central. */
  public static ReplicatedPostgresExtension embedded() {
    return new ReplicatedPostgresExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Path bin = postgresBin();
    if (embedded) {
      try {
        unpacked = Files.createTempDirectory("tillwatch-pgbin");
        Files.setPosixFilePermissions(unpacked, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bin = EmbeddedPostgresBinaries.extract(unpacked);
    }
    cluster = ReplicatedPostgres.start(bin);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    if (unpacked != null) {
      deleteTree(unpacked);
      unpacked = null;
    }
  }

  /** The running cluster. */
  public ReplicatedPostgres cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster runs only inside the test class");
    }
    return cluster;
  }

  /** Where the machine's PostgreSQL server binaries are. */
  public static Path postgresBin() {
    return Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
