package io.tillwatch.cli;

import io.tillwatch.collector.Backend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A collector in the test's JVM on a database of a test PostgreSQL, with one token. */
final class TestCollector {
  private TestCollector() {}

  /**
   * Starts a collector on {@code jdbcUrl} (a database of {@code pg}) listening on {@code port} (0:
   * any), where {@code token} may write and read {@code tenants}.
   */
  static Backend start(
      PostgresServer pg, String jdbcUrl, int port, String token, Set<String> tenants)
      throws java.sql.SQLException {
    CollectorConfig c =
        new CollectorConfig(
            new HostPort("127.0.0.1", port),
            StorageConfig.embedded(Path.of("unused")),
            Duration.ofHours(3),
            List.of(new TokenGrant(Secret.of(token), tenants)),
            CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES);
    return Backend.start(c, jdbcUrl, PostgresServer.SUPERUSER, Secret.of(pg.superuserPassword()));
  }
}
