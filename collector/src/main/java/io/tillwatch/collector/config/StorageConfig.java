package io.tillwatch.collector.config;

import io.tillwatch.model.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where samples are kept.
 *
 * @param url a {@code jdbc:postgresql:} URL; empty for the embedded PostgreSQL under {@code
 *     dataDir}
 * @param user the database user
 * @param password its password
 * @param retention how long samples are kept
 * @param dataDir the embedded PostgreSQL's home when there is no {@code url}
 */
public record StorageConfig(
    Optional<String> url, String user, Secret password, Duration retention, Path dataDir) {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

  public StorageConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(dataDir, "dataDir");
    if (retention.toHours() < 24) {
      throw new IllegalArgumentException("retention must be at least 1d (samples are kept by day)");
    }
  }

  /** The embedded default: PostgreSQL under {@code ./data}, 90 days. */
  public static StorageConfig embedded(Path dataDir) {
    return new StorageConfig(
        Optional.empty(), "tillwatch", Secret.empty(), DEFAULT_RETENTION, dataDir);
  }
}
