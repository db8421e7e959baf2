package io.tillwatch.demo;

import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.config.StartupException;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.rules.RulePacks;
import io.tillwatch.sandbox.AlertmanagerServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The demo's collector: embedded storage, the built-in pack with its {@code for:} cut to 30 s so
 * that alerts show within minutes, and a local Alertmanager when the machine has one.
 *
 * @param alertmanager the local Alertmanager's URL, if any
 */
record DemoCollector(
    RunningBackend running, String token, Path tokenFile, Optional<String> alertmanager) {
  private static final Duration DEMO_HOLD_FOR = Duration.ofSeconds(30);

  /**
   * The demo's SLOs, over one day so that the workload's faults show within minutes: the standby
   * streams (it breaks for 2 minutes in every 5) and stock sync keeps up (it stalls now and then).
   */
  static final String DEMO_SLOS =
      """
      slos:
        - name: standby-streaming
          description: The standby receives the primary's WAL
          risk: recovery_readiness
          impact: "A failover would lose the orders the standby never received."
          objective: 99
          window: 1d
          sli:
            timeslice:
              expr: min by (tenant) (tillwatch_pg_standby_stream_up)
              good: '== 1'
              slice: 1m
        - name: stock-sync-freshness
          description: Stock levels reach the stores within a minute
          risk: inventory_accuracy
          impact: "Stores may sell stock they no longer have."
          objective: 95
          window: 1d
          sli:
            timeslice:
              expr: max by (tenant) (tillwatch_odoo_queue_oldest_age_seconds{state="pending"})
              good: '< 60'
              slice: 1m
      """;

  static DemoCollector start(
      Deque<AutoCloseable> started,
      PrintWriter out,
      DemoOptions options,
      Path bin,
      Tenant acme,
      Path dir)
      throws Exception {
    say(out, "the collector with embedded storage (a PostgreSQL of its own) ...");
    Path pack = dir.resolve("tillwatch-demo-rules.yml");
    Files.writeString(pack, RulePacks.withHoldFor(RulePacks.builtin(), DEMO_HOLD_FOR));
    Path slos = dir.resolve("tillwatch-demo-slos.yml");
    Files.writeString(slos, DEMO_SLOS);
    Optional<String> alertmanager = Optional.empty();
    AlertingConfig alerting = AlertingConfig.NONE;
    if (!Files.isExecutable(AlertmanagerServer.BINARY)) {
      say(
          out,
          "Alertmanager skipped: no "
              + AlertmanagerServer.BINARY
              + " (install the prometheus-alertmanager package); alerts show here only");
    } else {
      say(out, "a local Alertmanager for the alerts ...");
      try {
        AlertmanagerServer am = AlertmanagerServer.start();
        started.push(am);
        alertmanager = Optional.of(am.url().toString());
        alerting =
            new AlertingConfig(
                List.of(am.url()),
                Duration.ofMinutes(1),
                "http://127.0.0.1:" + options.collectorPort(),
                "",
                AlertingConfig.NONE.queueCapacity(),
                "");
      } catch (RuntimeException e) {
        say(
            out,
            "Alertmanager skipped: it did not start: "
                + DemoEstate.firstLine(e)
                + "; alerts show here only");
      }
    }
    String token = UUID.randomUUID().toString();
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, token);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    CollectorConfig config =
        new CollectorConfig(
                new HostPort("127.0.0.1", options.collectorPort()),
                StorageConfig.embedded(dir.resolve("data")),
                Duration.ofHours(3),
                List.of(new TokenGrant(Secret.of(token), Set.of("*"))),
                CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
                List.of(pack),
                false,
                options.interval(),
                alerting,
                io.tillwatch.collector.config.QueryConfig.DEFAULT,
                List.of(slos))
            .withOwnMetricsInterval(CollectorConfig.DEFAULT_OWN_METRICS_INTERVAL);
    RunningBackend running;
    try {
      running =
          RunningBackend.start(
              config,
              RunningBackend.ruleGroups(config, Files::readString),
              RunningBackend.sloCatalog(config, Files::readString),
              Map.of(acme.id(), acme),
              new RunningBackend.Binaries(Optional.of(bin), false),
              out);
    } catch (StartupException e) {
      throw e.setting().equals("listen") ? e.withSetting("--collector-listen-port") : e;
    }
    started.push(running);
    return new DemoCollector(running, token, tokenFile, alertmanager);
  }

  private static void say(PrintWriter out, String what) {
    out.println("tillwatch demo: " + what);
    out.flush();
  }
}
