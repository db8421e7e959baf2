package io.tillwatch.bench;

import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The storage section of a benchmark's collector: database {@code bench}, kept 400 days. */
final class BenchStorage {
  private BenchStorage() {}

  static StorageConfig of(PostgresServer pg) {
    return new StorageConfig(
        Optional.of(pg.jdbcUrl("bench")),
        PostgresServer.SUPERUSER,
        Secret.of(pg.superuserPassword()),
        Duration.ofDays(400),
        Path.of("unused"));
  }
}
