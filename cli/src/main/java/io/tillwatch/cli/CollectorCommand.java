package io.tillwatch.cli;

import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.cli.config.CollectorConfigLoader;
import io.tillwatch.cli.config.EstateConfigLoader;
import io.tillwatch.cli.config.Interpolation;
import io.tillwatch.cli.config.RuleFileLoader;
import io.tillwatch.collector.Collector;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RuleGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tillwatch collector}: OTLP/HTTP ingest into PostgreSQL, the head, the HTTP API. */
@Command(
    name = "collector",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Receive OTLP/HTTP metrics (from agents or any OpenTelemetry SDK) and store them in"
          + " PostgreSQL (TimescaleDB when present).",
      "Without storage.url in the file, runs a PostgreSQL of its own under ./data.",
      "Stops gracefully on SIGTERM or Ctrl-C (queued samples are written first)."
    })
final class CollectorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "collector.yaml",
      description = "Collector file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--check", description = "Only check the file, then exit (0 valid, 2 not).")
  boolean checkOnly;

  @Option(
      names = "--estate",
      paramLabel = "FILE",
      description =
          "The estate file (tenants with time zones, business hours and tiers) for rules'"
              + " 'during' and 'tenants' fields and $tenant in templates.")
  Path estate;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "PostgreSQL binaries for embedded storage (default: the machine's newest).")
  Path pgBin;

  @Option(
      names = "--embedded",
      description =
          "Embedded storage from Maven Central's PostgreSQL even when the machine has one.")
  boolean embedded;

  @Override
  public Integer call() throws Exception {
    CollectorConfig c = new CollectorConfigLoader(new Interpolation(System::getenv)).load(config);
    PrintWriter out = spec.commandLine().getOut();
    if (checkOnly) {
      List<RuleGroup> groups = ruleGroups(c);
      out.printf(
          "%s: valid: %d tokens, %d rule groups (%d rules)%n",
          config,
          c.tokens().size(),
          groups.size(),
          groups.stream().mapToInt(g -> g.rules().size()).sum());
      return 0;
    }
    Map<String, Tenant> tenants = new HashMap<>();
    if (estate != null) {
      for (TenantConfig t :
          new EstateConfigLoader(new Interpolation(System::getenv)).load(estate).tenants()) {
        tenants.put(t.tenant().id(), t.tenant());
      }
    }
    Running running = start(c, pgBin, embedded, out, tenants);
    out.printf(
        "tillwatch collector: OTLP/HTTP on http://%s:%d/v1/metrics; storage %s (%s);"
            + " head %s of %d samples loaded%n",
        c.listen().host(),
        running.collector().port(),
        running.where(),
        running.collector().store().layout(),
        c.head().toString().substring(2).toLowerCase(java.util.Locale.ROOT),
        running.collector().headLoadedSamples());
    out.flush();
    Duration grace = Duration.ofSeconds(30);
    Lifecycle.serve(running::close, grace, Optional.empty());
    return 0;
  }

  /** A started collector and the embedded storage it may run on. */
  record Running(Collector collector, EmbeddedStorage storage, String where)
      implements AutoCloseable {
    @Override
    public void close() {
      collector.close();
      if (storage != null) {
        storage.close();
      }
    }
  }

  /** Starts the collector, first its embedded storage when the file names no database. */
  static Running start(CollectorConfig c, Path pgBin, boolean embedded, PrintWriter out)
      throws Exception {
    return start(c, pgBin, embedded, out, Map.of());
  }

  /** The built-in pack (unless turned off) and the rule files; errors name file and line. */
  static List<RuleGroup> ruleGroups(CollectorConfig c) {
    List<RuleGroup> groups = new ArrayList<>();
    if (c.builtinRulePack()) {
      groups.addAll(new RuleFileLoader().loadBuiltin());
    }
    for (Path f : c.ruleFiles()) {
      groups.addAll(new RuleFileLoader().load(f));
    }
    return groups;
  }

  /** Starts the collector with the estate's tenants for its rules. */
  static Running start(
      CollectorConfig c, Path pgBin, boolean embedded, PrintWriter out, Map<String, Tenant> tenants)
      throws Exception {
    List<RuleGroup> groups = ruleGroups(c);
    if (c.storage().url().isPresent()) {
      String url = c.storage().url().get();
      return new Running(
          Collector.start(c, url, c.storage().user(), c.storage().password(), groups, tenants),
          null,
          url);
    }
    Path bin = pgBin != null ? pgBin : PostgresBinaries.find(embedded, out);
    EmbeddedStorage storage = EmbeddedStorage.start(bin, c.storage().dataDir());
    try {
      return new Running(
          Collector.start(c, storage.url(), storage.user(), storage.password(), groups, tenants),
          storage,
          "embedded PostgreSQL in " + c.storage().dataDir());
    } catch (Exception e) {
      storage.close();
      throw e;
    }
  }
}
