package io.tillwatch.agent.backup;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.BackupTargetConfig.Tool;
import io.tillwatch.agent.config.TargetEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The backup target types: {@code pgbackrest}, {@code walg} and {@code backup_status} (a job's
 * status file), all read by {@link BackupCollector}.
 */
public final class BackupTargetTypes implements TargetType<BackupTargetConfig> {
  /** {@code pgbackrest info --output=json}, or a saved copy of it. */
  public static final BackupTargetTypes PGBACKREST =
      new BackupTargetTypes(
          Tool.PGBACKREST,
          Set.of("stanza", "command", "config", "info_json", "verify_every", "verify_timeout"),
          BackupTargetTypes::pgbackrest);

  /** {@code wal-g backup-list --json --detail}, or a saved copy of it. */
  public static final BackupTargetTypes WALG =
      new BackupTargetTypes(
          Tool.WALG, Set.of("command", "backup_list_json"), BackupTargetTypes::walg);

  /** A scheduled job's status file. */
  public static final BackupTargetTypes STATUS_FILE =
      new BackupTargetTypes(
          Tool.STATUS_FILE,
          Set.of("path"),
          e ->
              new BackupTargetConfig(
                  e.name(),
                  Tool.STATUS_FILE,
                  List.of(),
                  Optional.of(e.path(e.required("path"))),
                  Optional.empty(),
                  e.interval()));

  private final Tool tool;
  private final Set<String> keys;
  private final Function<TargetEntry, BackupTargetConfig> reader;

  private BackupTargetTypes(
      Tool tool, Set<String> keys, Function<TargetEntry, BackupTargetConfig> reader) {
    this.tool = tool;
    this.keys = keys;
    this.reader = reader;
  }

  @Override
  public String name() {
    return tool.type();
  }

  @Override
  public Set<String> keys() {
    return keys;
  }

  @Override
  public Class<BackupTargetConfig> configType() {
    return BackupTargetConfig.class;
  }

  @Override
  public BackupTargetConfig read(TargetEntry entry) {
    return reader.apply(entry);
  }

  @Override
  public Collector create(BackupTargetConfig config, CollectorContext c) {
    return new BackupCollector(config, c.timeout(), c.blocking(), c.clock());
  }

  /** How long one {@code pgbackrest verify} may take unless {@code verify_timeout} says. */
  static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofHours(1);

  private static BackupTargetConfig pgbackrest(TargetEntry e) {
    String stanza = e.required("stanza").string();
    Optional<Path> file = e.optional("info_json").map(e::path);
    List<String> command = List.of();
    List<String> base = new ArrayList<>();
    if (file.isEmpty()) {
      base.addAll(e.optional("command").map(e::words).orElse(List.of("pgbackrest")));
      Optional<Path> config = e.optional("config").map(e::path);
      if (config.isPresent()) {
        base.add("--config=" + config.get());
      }
      base.add("--stanza=" + stanza);
      command = new ArrayList<>(base);
      command.addAll(List.of("--output=json", "info"));
    } else if (e.optional("command").isPresent()) {
      throw e.required("command").error("give either command (and config) or info_json, not both");
    }
    Optional<BackupTargetConfig.Verify> verify = Optional.empty();
    if (e.optional("verify_every").isPresent()) {
      if (file.isPresent()) {
        throw e.required("verify_every")
            .error("verify runs pgbackrest: give command (or nothing) instead of info_json");
      }
      List<String> v = new ArrayList<>(base);
      // its summary (status, files checked and valid) on stdout, also when all is well
      v.addAll(List.of("--output=text", "--verbose", "verify"));
      verify =
          Optional.of(
              new BackupTargetConfig.Verify(
                  v,
                  TargetEntry.positive(e.required("verify_every")),
                  e.optional("verify_timeout")
                      .map(TargetEntry::positive)
                      .orElse(DEFAULT_VERIFY_TIMEOUT)));
    } else if (e.optional("verify_timeout").isPresent()) {
      throw e.required("verify_timeout").error("verify_timeout needs verify_every");
    }
    return new BackupTargetConfig(
        e.name(), Tool.PGBACKREST, command, file, Optional.of(stanza), e.interval(), verify);
  }

  private static BackupTargetConfig walg(TargetEntry e) {
    Optional<Path> file = e.optional("backup_list_json").map(e::path);
    List<String> command = List.of();
    if (file.isEmpty()) {
      command = new ArrayList<>(e.optional("command").map(e::words).orElse(List.of("wal-g")));
      command.addAll(List.of("backup-list", "--json", "--detail"));
    } else if (e.optional("command").isPresent()) {
      throw e.required("command").error("give either command or backup_list_json, not both");
    }
    return new BackupTargetConfig(
        e.name(), Tool.WALG, command, file, Optional.empty(), e.interval());
  }
}
