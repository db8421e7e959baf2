package io.tillwatch.cli;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.config.ConfigException;
import io.tillwatch.rules.RulePacks;
import io.tillwatch.slo.SloCatalog;
import io.tillwatch.slo.SloFileLoader;
import io.tillwatch.slo.SloRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tillwatch slo check|generate}: SLO files, and their rules for Prometheus. */
@Command(
    name = "slo",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Check SLO files, and write their rules for Prometheus.",
    subcommands = {SloCommand.Check.class, SloCommand.Generate.class, SloCommand.Status.class})
final class SloCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check SLO files: YAML, objectives, windows, SLI expressions, alerting, exclusions.",
        "Exit 0 when all are valid, 1 when not."
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "SLO files.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int failed = 0;
      for (Path f : files) {
        try {
          SloCatalog file = new SloFileLoader(Configs.FILES).load(f);
          out.printf(
              "%s: valid: %d SLOs, %d exclusions%n",
              f, file.slos().size(), file.exclusions().size());
        } catch (ConfigException e) {
          err.println(e.getMessage());
          failed++;
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write a Prometheus rule file for the SLOs (SLI error ratios, objective, budget and",
        "burn-rate series in Sloth's names, multi-window multi-burn-rate alerts) to standard",
        "output; promtool check rules accepts it. Calendar windows are written with their",
        "nominal length (week 7d, month 30d, quarter 90d); business hours are tillwatch's own."
      })
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "SLO files.")
    List<Path> files = List.of();

    @Option(
        names = "--builtin",
        description =
            "Include the built-in SLO catalogue (the files' SLOs of the same name take over the"
                + " tenants they select).")
    boolean builtin;

    @Option(
        names = "--estate",
        paramLabel = "FILE",
        description =
            "The estate file: its tenants' tiers give SLOs with objectives per tier a group per"
                + " tier (without it, such SLOs need an 'objective' for every tenant).")
    Path estate;

    @Override
    public Integer call() {
      if (files.isEmpty() && !builtin) {
        spec.commandLine().getErr().println("tillwatch: name SLO files, or give --builtin");
        return Main.CONFIG_ERROR;
      }
      SloCatalog catalog = SloCatalog.EMPTY;
      for (Path f : files) {
        catalog = catalog.plus(new SloFileLoader(Configs.FILES).load(f));
      }
      if (builtin) {
        catalog =
            catalog.over(
                new SloFileLoader(Configs.FILES)
                    .load(Path.of(RulePacks.BUILTIN_SLOS_NAME), RulePacks.builtinSlos()));
      }
      Map<String, io.tillwatch.model.Tenant> tenants = new java.util.TreeMap<>();
      if (estate != null) {
        for (TenantConfig t :
            new EstateConfigLoader(Configs.interpolation()).load(estate).tenants()) {
          tenants.put(t.tenant().id(), t.tenant());
        }
      }
      String out;
      try {
        out = "groups:\n" + SloRules.catalogGroups(catalog, tenants, true);
      } catch (IllegalArgumentException e) {
        spec.commandLine()
            .getErr()
            .println("tillwatch: " + e.getMessage() + ": give --estate, or an 'objective'");
        return Main.CONFIG_ERROR;
      }
      spec.commandLine().getOut().print(out);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Print every SLO of the token's tenants as the collector sees it now: objective, window,",
        "attained, budget left, state and time until the budget is spent at the last hour's burn."
      })
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--collector",
        paramLabel = "URL",
        defaultValue = "http://127.0.0.1:4318",
        description = "The collector (default: ${DEFAULT-VALUE}).")
    java.net.URI collector;

    @picocli.CommandLine.Mixin CollectorApi.Token token;

    @Override
    public Integer call() throws Exception {
      java.net.http.HttpResponse<String> r =
          CollectorApi.send(
              collector,
              token.secret(),
              null,
              "/api/v1/slos",
              java.net.http.HttpRequest.newBuilder().GET());
      if (r.statusCode() != 200) {
        spec.commandLine()
            .getErr()
            .println("tillwatch: the collector answered " + r.statusCode() + ": " + r.body());
        return 1;
      }
      var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("data");
      PrintWriter out = spec.commandLine().getOut();
      String format = "%-16s %-24s %9s %-8s %9s %10s %-10s %s%n";
      out.printf(
          format,
          "TENANT",
          "SLO",
          "OBJECTIVE",
          "WINDOW",
          "ATTAINED",
          "BUDGET",
          "STATE",
          "EXHAUSTED IN");
      for (var row : rows) {
        out.printf(
            format,
            row.path("tenant").asText(),
            row.path("slo").asText(),
            percent(row.path("objective")),
            row.path("window").asText(),
            percent(row.path("attained")),
            percent(row.path("budget_remaining")),
            row.path("state").asText(),
            row.path("time_to_exhaustion_seconds").isNull()
                ? "-"
                : io.tillwatch.model.Durations.format(
                    java.time.Duration.ofSeconds(row.path("time_to_exhaustion_seconds").asLong())));
      }
      out.flush();
      return 0;
    }

    private static String percent(com.fasterxml.jackson.databind.JsonNode n) {
      return n.isNull() || n.isMissingNode()
          ? "-"
          : String.format(java.util.Locale.ROOT, "%.3f%%", n.asDouble() * 100);
    }
  }
}
