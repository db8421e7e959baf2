package io.tillwatch.collector.store;

import io.tillwatch.localpg.LocalPostgres;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import java.nio.file.Path;
import java.util.List;

/**
 * The collector's storage when its file names no database: a PostgreSQL of its own under the data
 * directory, created on first start and reused after, holding database {@code tillwatch}.
 */
public final class EmbeddedStorage implements AutoCloseable {
  static final String DATABASE = "tillwatch";

  private final PostgresServer server;

  private EmbeddedStorage(PostgresServer server) {
    this.server = server;
  }

  /** Starts (creating on first use) PostgreSQL from {@code bin} under {@code dataDir}. */
  public static EmbeddedStorage start(Path bin, Path dataDir) {
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

  /** JDBC URL of database {@value #DATABASE}. */
  public String url() {
    return server.jdbcUrl(DATABASE);
  }

  /** Its superuser. */
  public String user() {
    return PostgresServer.SUPERUSER;
  }

  /** The superuser's password, generated at initdb. */
  public Secret password() {
    return Secret.of(server.superuserPassword());
  }

  @Override
  public void close() {
    server.close();
  }
}
