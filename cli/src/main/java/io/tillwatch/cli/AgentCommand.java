package io.tillwatch.cli;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.config.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tillwatch agent}: scrapes the estate's targets and serves {@code /metrics}. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Scrape every target of the estate file on its schedule and serve /metrics.",
      "Stops gracefully on SIGTERM or Ctrl-C (in-flight scrapes end or are cancelled at the timeout)."
    })
final class AgentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "tillwatch.yaml",
      description = "Estate file: agent settings, tenants and targets (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = "--check",
      description = "Only check the config file, then exit (0 valid, 2 not).")
  boolean checkOnly;

  @Option(
      names = "--web.enable-lifecycle",
      description =
          "Answer POST /-/reload (as Prometheus): read the estate file again and apply it. SIGHUP"
              + " does the same, always.")
  boolean lifecycle;

  @Override
  public Integer call() throws Exception {
    EstateConfigLoader loader = new EstateConfigLoader(Configs.interpolation());
    EstateConfig estate = loader.load(config);
    PrintWriter out = spec.commandLine().getOut();
    EstateConfigLoader.TenantFiles files = loader.loadTenantFiles(estate);
    EstateConfig all = estate.plus(files.tenants());
    long targets = all.tenants().stream().mapToLong(t -> t.targets().size()).sum();
    if (checkOnly) {
      if (!files.broken().isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        files
            .broken()
            .values()
            .forEach(e -> err.println("tillwatch: configuration error: " + e.getMessage()));
        err.printf(
            "%s: %d of %d tenant files in %s are not valid%n",
            config,
            files.broken().size(),
            files.broken().size() + files.valid().size(),
            estate.tenantsDir().orElseThrow());
        err.flush();
        return Main.CONFIG_ERROR;
      }
      out.printf("%s: valid: %d tenants, %d targets%n", config, all.tenants().size(), targets);
      return 0;
    }
    Agent agent = Agent.create(estate, Configs.interpolation());
    agent.reloadFrom(() -> loader.load(config));
    if (lifecycle) {
      agent.enableLifecycle();
    }
    Lifecycle.onHangup(
        () -> {
          try {
            agent.reload().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            // refused: said in the log and by tillwatch_config_last_reload_successful
          }
        });
    try {
      agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      stop(agent, Duration.ofSeconds(5));
      String where = estate.agent().listen().host() + ":" + estate.agent().listen().port();
      throw StartupException.portInUse(e, where, "agent.listen in " + config).orElseThrow(() -> e);
    }
    out.printf(
        "tillwatch agent: %d tenants, %d targets; serving %s%n",
        all.tenants().size(), targets, agent.metricsUrl());
    out.flush();
    Duration grace = estate.agent().timeout().plusSeconds(5);
    Lifecycle.serve(() -> stop(agent, grace), grace, Optional.empty());
    return 0;
  }

  static void stop(Agent agent, Duration grace) {
    try {
      agent
          .stop()
          .toCompletionStage()
          .toCompletableFuture()
          .get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("tillwatch: stopping: " + e.getMessage());
    }
  }
}
