package io.tillwatch.cli;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.CollectorConfigLoader;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RuleGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
      description = "Backend file (default: ${DEFAULT-VALUE}).")
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

  @Option(
      names = "--web.enable-lifecycle",
      description =
          "Answer POST /-/reload (as Prometheus; a token granted \"*\"): read the collector,"
              + " rule and SLO files again and evaluate their rules. SIGHUP does the same, always.")
  boolean lifecycle;

  /**
   * The tenants of the {@code --estate} file and its {@code tenants_dir} (their tiers and hours),
   * read now.
   */
  private Map<String, Tenant> estateTenants() {
    Map<String, Tenant> tenants = new HashMap<>();
    if (estate != null) {
      EstateConfigLoader loader = new EstateConfigLoader(Configs.interpolation());
      var file = loader.load(estate);
      // the tenants_dir's files too; a broken one is left out, as the agent does
      for (TenantConfig t : file.tenants()) {
        tenants.put(t.tenant().id(), t.tenant());
      }
      for (TenantConfig t : loader.loadTenantFiles(file).tenants()) {
        tenants.putIfAbsent(t.tenant().id(), t.tenant());
      }
    }
    return tenants;
  }

  @Override
  public Integer call() throws Exception {
    CollectorConfig c = new CollectorConfigLoader(Configs.interpolation()).load(config);
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Tenant> tenants = estateTenants();
    List<RuleGroup> groups = RunningBackend.ruleGroups(c, Configs.FILES, tenants);
    if (checkOnly) {
      out.printf(
          "%s: valid: %d tokens, %d rule groups (%d rules)%n",
          config,
          c.tokens().size(),
          groups.size(),
          groups.stream().mapToInt(g -> g.rules().size()).sum());
      return 0;
    }
    RunningBackend running =
        RunningBackend.start(
            c,
            groups,
            RunningBackend.sloCatalog(c, Configs.FILES),
            tenants,
            new RunningBackend.Binaries(Optional.ofNullable(pgBin), embedded),
            out);
    out.printf(
        "tillwatch collector: OTLP/HTTP on http://%s:%d/v1/metrics; storage %s (%s);"
            + " head %s of %d samples loaded%n",
        c.listen().host(),
        running.backend().port(),
        running.where(),
        running.backend().store().layout(),
        c.head().toString().substring(2).toLowerCase(Locale.ROOT),
        running.backend().headLoadedSamples());
    out.flush();
    Backend backend = running.backend();
    backend.reloadFrom(
        () -> {
          CollectorConfig next = new CollectorConfigLoader(Configs.interpolation()).load(config);
          if (!next.withRuleFiles(c.ruleFiles())
              .withSloFiles(c.sloFiles())
              .withBuiltinSlos(c.builtinSlos())
              .withTokens(c.tokens())
              .withAlerting(c.alerting())
              .withReports(c.reports())
              .equals(c)) {
            System.getLogger(CollectorCommand.class.getName())
                .log(
                    System.Logger.Level.WARNING,
                    "settings of "
                        + config
                        + " other than tokens, rule_files, slo_files, builtin_slos, alerting and"
                        + " reports changed: they apply at the next restart");
          }
          Map<String, Tenant> nextTenants = estateTenants();
          return new Backend.Reloaded(
              RunningBackend.ruleGroups(next, Configs.FILES, nextTenants),
              RunningBackend.sloCatalog(next, Configs.FILES),
              next.tokens(),
              next.alerting(),
              next.reports());
        });
    if (lifecycle) {
      backend.enableLifecycle();
    }
    Lifecycle.onHangup(
        () -> {
          try {
            backend.reload().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            // refused: said in the log and by tillwatch_config_last_reload_successful
          }
        });
    Duration grace = Duration.ofSeconds(30);
    Lifecycle.serve(running::close, grace, Optional.empty());
    return 0;
  }
}
