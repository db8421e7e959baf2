package io.tillwatch.cli;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.config.ConfigException;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.rules.RuleTestFileLoader;
import io.tillwatch.rules.RuleTests;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tillwatch rules check|test}: like {@code promtool check rules} and {@code test rules}. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Check rule files, and run rule unit tests in promtool's format.",
    subcommands = {RulesCommand.Check.class, RulesCommand.Test.class})
final class RulesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check rule files: YAML, expressions, templates and the business fields",
        "(risk, impact, during, tenants). Exit 0 when all are valid, 1 when not."
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int failed = 0;
      for (Path f : files) {
        out.println("Checking " + f);
        try {
          List<RuleGroup> groups = new RuleFileLoader(Configs.FILES).load(f);
          long rules = groups.stream().mapToLong(g -> g.rules().size()).sum();
          long alerts =
              groups.stream()
                  .flatMap(g -> g.rules().stream())
                  .filter(r -> r instanceof Rule.Alerting)
                  .count();
          out.printf("  SUCCESS: %d rules found (%d alerts)%n", rules, alerts);
        } catch (ConfigException e) {
          err.println("  FAILED:\n" + e.getMessage());
          failed++;
        }
        out.println();
      }
      out.flush();
      err.flush();
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Run rule unit tests written for promtool (rule_files, evaluation_interval,",
        "group_eval_order, tests with input_series, alert_rule_test, promql_expr_test).",
        "Exit 0 when every test passes, 1 when not."
      })
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Test files.")
    List<Path> files;

    @Option(
        names = "--estate",
        paramLabel = "FILE",
        description =
            "The estate file: tenants' time zones, business hours and tiers for the rules'"
                + " 'during' and 'tenants' fields and $tenant, as the collector evaluates them.")
    Path estate;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, Tenant> tenants = new HashMap<>();
      if (estate != null) {
        for (TenantConfig t :
            new EstateConfigLoader(Configs.interpolation()).load(estate).tenants()) {
          tenants.put(t.tenant().id(), t.tenant());
        }
      }
      int failed = 0;
      for (Path f : files) {
        out.println("Unit Testing:  " + f);
        List<String> failures;
        try {
          failures = RuleTests.run(new RuleTestFileLoader(Configs.FILES).load(f), tenants::get);
        } catch (ConfigException e) {
          failures = List.of(e.getMessage());
        }
        if (failures.isEmpty()) {
          out.println("  SUCCESS");
        } else {
          failed++;
          out.println("  FAILED:");
          for (String x : failures) {
            out.println("    " + x.replace("\n", "\n    "));
          }
        }
        out.println();
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }
  }
}
