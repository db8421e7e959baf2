package io.tillwatch.collector;

import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.store.EmbeddedStorage;
import io.tillwatch.config.FileReader;
import io.tillwatch.config.StartupException;
import io.tillwatch.localpg.PostgresBinaries;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.rules.RulePacks;
import io.tillwatch.slo.SloCatalog;
import io.tillwatch.slo.SloFileLoader;
import io.tillwatch.slo.SloRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A started backend and the embedded storage it may run on: what {@code tillwatch collector} and
 * the demo run. Closing it stops the backend, then its storage.
 *
 * @param where the storage, for people: host, port and database of its JDBC URL, or the embedded
 *     data directory
 */
public record RunningBackend(Backend backend, Optional<EmbeddedStorage> storage, String where)
    implements AutoCloseable {

  /** Where embedded storage's PostgreSQL comes from. */
  public record Binaries(Optional<Path> bin, boolean embedded) {
    /** The machine's newest PostgreSQL, or Maven Central's bundle when it has none. */
    public static final Binaries DEFAULT = new Binaries(Optional.empty(), false);
  }

  /** The built-in pack (unless turned off) and the rule files; errors name file and line. */
  public static List<RuleGroup> ruleGroups(CollectorConfig c, FileReader files) {
    return ruleGroups(c, files, Map.of());
  }

  /**
   * As above, and the rules of the SLO files ({@link SloRules}: SLI error ratios, budget and
   * burn-rate series, burn-rate alerts), a group per tier of {@code tenants} for SLOs with
   * objectives per tier.
   *
   * @throws StartupException when an SLO has objectives per tier only and no tenants are known
   */
  public static List<RuleGroup> ruleGroups(
      CollectorConfig c, FileReader files, Map<String, Tenant> tenants) {
    List<RuleGroup> groups = new ArrayList<>();
    RuleFileLoader loader = new RuleFileLoader(files);
    if (c.builtinRulePack()) {
      groups.addAll(loader.loadBuiltin());
    }
    for (Path f : c.ruleFiles()) {
      groups.addAll(loader.load(f));
    }
    SloCatalog slos = sloCatalog(c, files);
    if (!slos.slos().isEmpty()) {
      String rules;
      try {
        rules = "groups:\n" + SloRules.catalogGroups(slos, tenants, false);
      } catch (IllegalArgumentException e) {
        throw new StartupException("--estate", e.getMessage());
      }
      groups.addAll(RuleFileLoader.ofText().load(Path.of("the rules of the SLOs"), rules));
    }
    return groups;
  }

  private static SloFileLoader loader(FileReader files) {
    return new SloFileLoader(files);
  }

  /**
   * Every SLO and exclusion of the SLO files, over the built-in catalogue unless it is turned off
   * (a file's SLO of a built-in's name takes over the tenants it selects).
   */
  public static SloCatalog sloCatalog(CollectorConfig c, FileReader files) {
    SloCatalog all = SloCatalog.EMPTY;
    for (Path f : c.sloFiles()) {
      all = all.plus(loader(files).load(f));
    }
    if (c.builtinSlos()) {
      all =
          all.over(
              loader(files).load(Path.of(RulePacks.BUILTIN_SLOS_NAME), RulePacks.builtinSlos()));
    }
    return all;
  }

  /**
   * Starts the backend with {@code groups}, the rollups of {@code slos} and the estate's {@code
   * tenants}, first its embedded storage when the file names no database.
   */
  public static RunningBackend start(
      CollectorConfig c,
      List<RuleGroup> groups,
      SloCatalog slos,
      Map<String, Tenant> tenants,
      Binaries binaries,
      PrintWriter out)
      throws Exception {
    if (c.storage().url().isPresent()) {
      String url = c.storage().url().get();
      return new RunningBackend(
          Backend.start(
              c,
              url,
              c.storage().user(),
              c.storage().password(),
              groups,
              slos,
              tenants,
              java.time.Clock.systemUTC()),
          Optional.empty(),
          io.tillwatch.collector.store.PgStore.where(url)); // never its parameters (a password)
    }
    Path bin = binaries.bin().orElseGet(() -> PostgresBinaries.find(binaries.embedded(), out));
    EmbeddedStorage storage = EmbeddedStorage.start(bin, c.storage().dataDir());
    try {
      return new RunningBackend(
          Backend.start(
              c,
              storage.url(),
              storage.user(),
              storage.password(),
              groups,
              slos,
              tenants,
              java.time.Clock.systemUTC()),
          Optional.of(storage),
          "embedded PostgreSQL in " + c.storage().dataDir());
    } catch (Exception | Error e) {
      storage.close();
      throw e;
    }
  }

  @Override
  public void close() {
    backend.close();
    storage.ifPresent(EmbeddedStorage::close);
  }
}
