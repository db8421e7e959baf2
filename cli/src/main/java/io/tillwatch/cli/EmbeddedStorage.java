package io.tillwatch.cli;

import io.tillwatch.model.Secret;
import io.tillwatch.sandbox.LocalPostgres;
import io.tillwatch.sandbox.PostgresServer;
import java.nio.file.Path;
import java.util.List;

/**
 * The collector's storage when its file names no database: a PostgreSQL of its own under the data
 * directory, created on first start and reused after, holding database {@code tillwatch}.
 */
final class EmbeddedStorage implements AutoCloseable {
  static final String DATABASE = "tillwatch";

  private final PostgresServer server;

  private EmbeddedStorage(PostgresServer server) {
    this.server = server;
  }

  static EmbeddedStorage start(Path bin, Path dataDir) {
    PostgresServer server =
        LocalPostgres.open(
            bin,
            dataDir.toAbsolutePath(),
            List.of("shared_buffers=64MB", "max_connections=40", "synchronous_commit=on"));
    try {
      if (server.queryString("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")
          == null) {
        server.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new EmbeddedStorage(server);
  }

  String url() {
    return server.jdbcUrl(DATABASE);
  }

  String user() {
    return PostgresServer.SUPERUSER;
  }

  Secret password() {
    return Secret.of(server.superuserPassword());
  }

  @Override
  public void close() {
    server.close();
  }
}
