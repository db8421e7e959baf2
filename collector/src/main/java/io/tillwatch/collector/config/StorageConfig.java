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
 * @param layout how samples are laid out in a new database ({@code storage.layout})
 * @param remote with {@code type: remote}: the engine that keeps samples instead of PostgreSQL
 */
public record StorageConfig(
    Optional<String> url,
    String user,
    Secret password,
    Duration retention,
    Path dataDir,
    Layout layout,
    Optional<RemoteStorageConfig> remote) {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);

  /** {@code storage.layout}: which table layout a new database gets. */
  public enum Layout {
    /** TimescaleDB when the server can load it, plain PostgreSQL otherwise (the default). */
    AUTO,
    /** Plain PostgreSQL: daily partitions. */
    PLAIN,
    /** TimescaleDB: a hypertable with compression; refuses to start when it cannot load. */
    TIMESCALEDB;

    /** The name as written in the file. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Samples in PostgreSQL. */
  public StorageConfig(
      Optional<String> url,
      String user,
      Secret password,
      Duration retention,
      Path dataDir,
      Layout layout) {
    this(url, user, password, retention, dataDir, layout, Optional.empty());
  }

  /** As above, with {@code layout: auto}. */
  public StorageConfig(
      Optional<String> url, String user, Secret password, Duration retention, Path dataDir) {
    this(url, user, password, retention, dataDir, Layout.AUTO);
  }

  public StorageConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(remote, "remote");
    if (retention.toHours() < 24) {
      throw new IllegalArgumentException("retention must be at least 1d (samples are kept by day)");
    }
  }

  /** The same, samples kept by {@code remote}. */
  public StorageConfig withRemote(RemoteStorageConfig remote) {
    return new StorageConfig(url, user, password, retention, dataDir, layout, Optional.of(remote));
  }

  /** The embedded default: PostgreSQL under {@code ./data}, 90 days. */
  public static StorageConfig embedded(Path dataDir) {
    return new StorageConfig(
        Optional.empty(), "tillwatch", Secret.empty(), DEFAULT_RETENTION, dataDir);
  }
}
