package io.tillwatch.testkit;

import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL server (the machine's binaries) for a test class, on a free loopback port, in
 * a directory of its own that is deleted afterwards.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private Path home;
  private PostgresServer server;
  private final List<String> settings;

  /** A server with the tests' small defaults. */
  public PostgresExtension() {
    this(List.of());
  }

  /** A server with these {@code postgresql.conf} lines besides the defaults. */
  public PostgresExtension(List<String> settings) {
    this.settings = List.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    home = Files.createTempDirectory("tillwatch-pg-single");
    server =
        LocalPostgres.open(
            ReplicatedPostgresExtension.postgresBin(),
            home,
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("shared_buffers=32MB", "max_connections=50"),
                    settings.stream())
                .toList());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
    if (home != null) {
      try (var paths = Files.walk(home)) {
        for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + home, e);
      }
    }
  }

  /** The running server. */
  public PostgresServer server() {
    return server;
  }

  /** Creates an empty database and returns its JDBC URL. */
  public String createDatabase(String name) {
    server.execute("CREATE DATABASE " + name);
    return server.jdbcUrl(name);
  }
}
