package io.tillwatch.localpg;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Where PostgreSQL's server binaries come from: this machine, or Maven Central (embedded). */
public final class PostgresBinaries {
  private PostgresBinaries() {}

  /** The machine's newest PostgreSQL, or the embedded one when there is none or it is asked for. */
  public static Path find(boolean embedded, PrintWriter out) {
    return machine().filter(b -> !embedded).orElseGet(() -> embedded(out));
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} with initdb and pg_basebackup, if any. */
  public static Optional<Path> machine() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("pg_basebackup")))
          .max(Comparator.comparingInt(PostgresBinaries::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** PostgreSQL from Maven Central, unpacked once into the temporary directory. */
  private static Path embedded(PrintWriter out) {
    if (!EmbeddedPostgresBinaries.available()) {
      throw new IllegalStateException(
          "no PostgreSQL on this machine and no embedded one for this platform:"
              + " install PostgreSQL (apt-get install postgresql) or pass --pg-bin");
    }
    String version = EmbeddedPostgresBinaries.version();
    out.println("tillwatch: using PostgreSQL " + version + " from Maven Central (embedded)");
    out.flush();
    try {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tillwatch-postgresql-" + version);
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
          && !Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS)
              .getName()
              .equals(System.getProperty("user.name"))) {
        dir = Files.createTempDirectory("tillwatch-postgresql-"); // not ours: do not trust it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      return EmbeddedPostgresBinaries.extract(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded PostgreSQL", e);
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
