package io.tillwatch.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A backup repository or job: pgBackRest ({@code type: pgbackrest}), WAL-G ({@code type: walg}) or
 * a status file a scheduled job writes ({@code type: backup_status}). Read either by running a
 * command or from a file.
 *
 * @param name unique target name
 * @param tool which format the output has
 * @param command the full command line to run, or empty when {@code file} is read instead
 * @param file a file holding the output (written by a cron job), or empty
 * @param stanza pgBackRest: the stanza to report (all of the output when empty)
 * @param interval optional per-target scrape interval
 * @param verify pgBackRest: {@code pgbackrest verify} run now and then, when configured
 */
public record BackupTargetConfig(
    String name,
    Tool tool,
    List<String> command,
    Optional<Path> file,
    Optional<String> stanza,
    Optional<Duration> interval,
    Optional<Verify> verify)
    implements TargetConfig {

  /**
   * A repository check run in the background, apart from scrapes (it reads every backup and WAL
   * file, so it takes long).
   *
   * @param command the full command line
   * @param every how often it runs
   * @param timeout how long one run may take
   */
  public record Verify(List<String> command, Duration every, Duration timeout) {
    public Verify {
      command = List.copyOf(command);
      AgentConfig.requirePositive(every, "verify_every");
      AgentConfig.requirePositive(timeout, "verify_timeout");
    }
  }

  /** A target without verify runs. */
  public BackupTargetConfig(
      String name,
      Tool tool,
      List<String> command,
      Optional<Path> file,
      Optional<String> stanza,
      Optional<Duration> interval) {
    this(name, tool, command, file, stanza, interval, Optional.empty());
  }

  /** The backup tools tillwatch reads. */
  public enum Tool {
    PGBACKREST("pgbackrest"),
    WALG("walg"),
    STATUS_FILE("backup_status");

    private final String type;

    Tool(String type) {
      this.type = type;
    }

    /** The {@code type:} value. */
    public String type() {
      return type;
    }
  }

  public BackupTargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tool, "tool");
    command = List.copyOf(command);
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(stanza, "stanza");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(verify, "verify");
    if (command.isEmpty() == file.isEmpty()) {
      throw new IllegalArgumentException("give either a command or a file, not both");
    }
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  @Override
  public String type() {
    return tool.type();
  }
}
