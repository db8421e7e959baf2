package io.tillwatch.collector;

import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.store.EmbeddedStorage;
import io.tillwatch.config.FileReader;
import io.tillwatch.localpg.PostgresBinaries;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
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
 * @param where the storage, for people: a JDBC URL or the embedded data directory
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
    List<RuleGroup> groups = new ArrayList<>();
    RuleFileLoader loader = new RuleFileLoader(files);
    if (c.builtinRulePack()) {
      groups.addAll(loader.loadBuiltin());
    }
    for (Path f : c.ruleFiles()) {
      groups.addAll(loader.load(f));
    }
    return groups;
  }

  /**
   * Starts the backend with {@code groups} and the estate's {@code tenants}, first its embedded
   * storage when the file names no database.
   */
  public static RunningBackend start(
      CollectorConfig c,
      List<RuleGroup> groups,
      Map<String, Tenant> tenants,
      Binaries binaries,
      PrintWriter out)
      throws Exception {
    if (c.storage().url().isPresent()) {
      String url = c.storage().url().get();
      return new RunningBackend(
          Backend.start(c, url, c.storage().user(), c.storage().password(), groups, tenants),
          Optional.empty(),
          url);
    }
    Path bin = binaries.bin().orElseGet(() -> PostgresBinaries.find(binaries.embedded(), out));
    EmbeddedStorage storage = EmbeddedStorage.start(bin, c.storage().dataDir());
    try {
      return new RunningBackend(
          Backend.start(c, storage.url(), storage.user(), storage.password(), groups, tenants),
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
