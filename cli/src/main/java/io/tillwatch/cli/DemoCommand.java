package io.tillwatch.cli;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.model.Durations;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.RulePacks;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PgBackRestStanza;
import io.tillwatch.sandbox.PostgresServer;
import io.tillwatch.sandbox.Processes;
import io.tillwatch.sandbox.RedisServer;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tillwatch demo}: a local sandbox estate (a PostgreSQL primary and a streaming standby in a
 * temporary directory) with a small order workload, and the agent watching it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Start a sandbox estate (PostgreSQL primary + streaming standby from this machine's binaries)",
      "with a synthetic order workload, the agent on it, the collector with the built-in rule pack",
      "and a local Alertmanager when the machine has one. Ctrl-C stops and removes everything."
    })
final class DemoCommand implements Callable<Integer> {
  private static final Duration DEMO_HOLD_FOR = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:9464",
      description = "Where /metrics is served (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--collector-listen-port",
      defaultValue = "4318",
      description = "Port of the collector's OTLP/HTTP ingest (default: ${DEFAULT-VALUE}).")
  int collectorPort;

  @Option(
      names = "--interval",
      defaultValue = "5s",
      description = "Scrape interval (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "PostgreSQL server binaries (default: the newest under /usr/lib/postgresql).")
  Path pgBin;

  @Option(
      names = "--embedded",
      description =
          "Use PostgreSQL from Maven Central even when this machine has its own"
              + " (automatic when it has none).")
  boolean embedded;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      description = "Stop by itself after this long (e.g. 2m); default: run until Ctrl-C.")
  String runFor;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Duration every = Durations.parse(interval);
    Path bin = pgBin != null ? pgBin : PostgresBinaries.find(embedded, out);
    out.println(
        "tillwatch demo: starting a PostgreSQL primary and a streaming standby from "
            + bin
            + " ...");
    out.flush();
    Deque<AutoCloseable> sandbox = new ArrayDeque<>(); // closed in reverse order
    Agent agent;
    io.tillwatch.collector.Collector storedCounts;
    String alertmanager = null;
    try {
      ReplicatedPostgres cluster = ReplicatedPostgres.start(bin);
      sandbox.push(cluster);
      PostgresServer primary = cluster.primary();
      String password = UUID.randomUUID().toString();
      primary.createMonitorRole("tillwatch", password);
      primary.execute("GRANT CREATE ON SCHEMA public TO tillwatch");
      Workload replication = Workload.start(cluster);
      sandbox.push(replication::stop);
      List<TargetConfig> targets = new ArrayList<>();
      targets.add(target("acme-primary", primary.jdbcUrl("postgres"), password, true));
      targets.add(target("acme-standby", cluster.standby().jdbcUrl("postgres"), password, false));

      out.println("tillwatch demo: an Odoo 17 shop database with orders and queue jobs ...");
      OdooDatabase.create(primary, "acme_odoo", 17, "tillwatch");
      ShopWorkload shop = ShopWorkload.start(primary, "acme_odoo");
      sandbox.push(shop::stop);
      targets.add(
          new OdooTargetConfig(
              "acme-odoo",
              primary.jdbcUrl("acme_odoo"),
              "tillwatch",
              Secret.of(password),
              OdooTargetConfig.DEFAULT_STUCK_STARTED_AFTER,
              Optional.empty()));

      Optional<Path> redisServer = onPath("redis-server");
      if (redisServer.isPresent()) {
        out.println("tillwatch demo: Redis for Odoo's sessions (maxmemory 4mb) ...");
        RedisServer redis =
            RedisServer.start(
                redisServer.get(), List.of("maxmemory 4mb", "maxmemory-policy allkeys-lru"));
        sandbox.push(redis);
        SessionWorkload sessions = SessionWorkload.start(redis);
        sandbox.push(sessions::stop);
        targets.add(
            new RedisTargetConfig(
                "acme-sessions",
                URI.create(redis.url()),
                Optional.empty(),
                Secret.empty(),
                Optional.empty()));
      }

      if (onPath("pgbackrest").isPresent()) {
        out.println(
            "tillwatch demo: a pgBackRest stanza on the primary (full now, incremental every 5 minutes) ...");
        PgBackRestStanza stanza = PgBackRestStanza.create(primary, "acme");
        sandbox.push(stanza);
        BackupSchedule backups = BackupSchedule.start(stanza);
        sandbox.push(backups::stop);
        targets.add(
            new BackupTargetConfig(
                "acme-backups",
                BackupTargetConfig.Tool.PGBACKREST,
                List.of(
                    "pgbackrest",
                    "--config=" + stanza.config(),
                    "--stanza=acme",
                    "--output=json",
                    "info"),
                Optional.empty(),
                Optional.of("acme"),
                Optional.empty()));
      }

      out.println(
          "tillwatch demo: the collector with embedded storage (a PostgreSQL of its own) ...");
      out.flush();
      Path demoDir =
          Files.createTempDirectory(
              "tillwatch-demo-",
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                  java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
      sandbox.push(() -> Processes.deleteTree(demoDir));
      Tenant acme =
          new Tenant(
              "acme",
              "ACME Retail",
              Tier.DEDICATED,
              ZoneId.of("Europe/Berlin"),
              BusinessHours.parse("Mon-Sat 08:00-22:00"));
      // the built-in pack, its "for:" durations cut to 30 s so that alerts show within minutes
      Path demoPack = demoDir.resolve("tillwatch-demo-rules.yml");
      Files.writeString(demoPack, RulePacks.withHoldFor(RulePacks.builtin(), DEMO_HOLD_FOR));
      AlertingConfig alerting = AlertingConfig.NONE;
      if (Files.isExecutable(AlertmanagerServer.BINARY)) {
        out.println("tillwatch demo: a local Alertmanager for the alerts ...");
        out.flush();
        AlertmanagerServer am = AlertmanagerServer.start();
        sandbox.push(am);
        alertmanager = am.url().toString();
        alerting =
            new AlertingConfig(
                List.of(am.url()),
                Duration.ofMinutes(1),
                "http://127.0.0.1:" + collectorPort,
                "",
                AlertingConfig.NONE.queueCapacity(),
                "");
      }
      String token = UUID.randomUUID().toString();
      Path tokenFile = demoDir.resolve("token");
      Files.writeString(tokenFile, token);
      Files.setPosixFilePermissions(
          tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      CollectorConfig collectorConfig =
          new CollectorConfig(
              new HostPort("127.0.0.1", collectorPort),
              StorageConfig.embedded(demoDir.resolve("data")),
              Duration.ofHours(3),
              List.of(new TokenGrant(Secret.of(token), Set.of("*"))),
              CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
              List.of(demoPack),
              false,
              every,
              alerting);
      CollectorCommand.Running collector =
          CollectorCommand.start(collectorConfig, bin, false, out, Map.of("acme", acme));
      sandbox.push(collector);
      PushConfig push =
          new PushConfig(
              URI.create("http://127.0.0.1:" + collector.collector().port() + "/v1/metrics"),
              Secret.of(token),
              PushConfig.DEFAULT_BUFFER_BYTES,
              demoDir.resolve("push-buffer"));
      EstateConfig estate =
          new EstateConfig(
              new AgentConfig(
                  HostPort.parse(listen),
                  every,
                  Duration.ofSeconds(Math.min(5, every.toSeconds())),
                  Optional.of(push)),
              List.of(new TenantConfig(acme, targets)));
      agent = Agent.create(estate);
      agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      printGuide(out, agent.metricsUrl(), cluster, targets);
      out.printf(
          "  collector:    http://127.0.0.1:%d/v1/metrics (OTLP/HTTP), /api/v1/alerts"
              + " (Prometheus API; bearer token in %s)%n",
          collector.collector().port(), tokenFile);
      out.printf(
          "  alertmanager: %s%n%n",
          alertmanager == null
              ? "none on this machine (apt-get install prometheus-alertmanager to see delivery)"
              : alertmanager + " (its UI; alerts at /api/v2/alerts)");
      out.flush();
      storedCounts = collector.collector();
    } catch (Exception | Error e) {
      closeAll(sandbox);
      throw e;
    }
    Agent running = agent;
    io.tillwatch.collector.Collector stored = storedCounts;
    DemoAlerts alerts = new DemoAlerts(stored.rules(), System.out);
    long countsEvery = 60_000;
    Thread reporter =
        Thread.ofPlatform()
            .daemon()
            .name("demo-report")
            .start(
                () -> {
                  long lastCounts = System.currentTimeMillis();
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      Thread.sleep(2_000);
                      alerts.report();
                      if (System.currentTimeMillis() - lastCounts >= countsEvery) {
                        lastCounts = System.currentTimeMillis();
                        var counts = stored.store().counts();
                        System.out.printf(
                            "tillwatch demo: stored %d series, %d samples; head %d samples"
                                + " (%.2f bytes a sample)%n",
                            counts.series(),
                            counts.samples(),
                            stored.head().samples(),
                            stored.head().samples() == 0
                                ? 0.0
                                : (double) stored.head().encodedBytes() / stored.head().samples());
                      }
                    } catch (InterruptedException e) {
                      return;
                    } catch (Exception e) {
                      System.err.println("tillwatch demo: " + e.getMessage());
                    }
                  }
                });
    Lifecycle.serve(
        () -> {
          System.out.println("tillwatch demo: stopping; removing the sandbox ...");
          reporter.interrupt();
          AgentCommand.stop(running, Duration.ofSeconds(10));
          closeAll(sandbox);
        },
        Duration.ofSeconds(40),
        Optional.ofNullable(runFor).map(Durations::parse));
    return 0;
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.err.println("tillwatch demo: cleaning up: " + e.getMessage());
      }
    }
  }

  /** An executable of this name on the PATH. */
  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static PostgresTargetConfig target(
      String name, String url, String password, boolean heartbeat) {
    return new PostgresTargetConfig(
        name, url, "tillwatch", Secret.of(password), heartbeat, Optional.empty(), Optional.empty());
  }

  private static void printGuide(
      PrintWriter out, String url, ReplicatedPostgres cluster, List<TargetConfig> targets) {
    out.printf(
        """

        tillwatch demo is running (tenant acme: %s).
          metrics:  %s
          primary:  %s   standby: %s

        What to look at:
          curl -s %s | grep -E '^tillwatch_(target_up|pg_standby|odoo_queue_oldest|odoo_orders|redis_(memory_used_ratio|evicted)|backup_age)'
          - tillwatch_target_up                              1 per healthy target
          - tillwatch_pg_replication_lag_bytes               WAL the standby has not replayed yet
          - tillwatch_pg_standby_replay_delay_seconds        true delay, from the heartbeat
          - tillwatch_pg_standby_stream_up                   0 if the stream is broken, even at "zero lag"
          - tillwatch_odoo_queue_oldest_age_seconds          stock sync behind: stores sell stock they no longer have
          - tillwatch_odoo_queue_failed_jobs, _stuck_jobs    jobs that need a human
          - tillwatch_odoo_orders_total, _last_order_age     order intake (sale and POS)
          - tillwatch_redis_evicted_keys_total               sessions evicted: cashiers logged out
          - tillwatch_backup_age_seconds{type="full"}        how old the newest backup is
        The workloads: every 90 s replay on the standby pauses for 30 s; in every 5 minutes, from
        the first on, the standby's stream is broken for 2 minutes; every 3 minutes stock sync
        stalls for a minute and some jobs fail; Redis fills its 4 MB and starts evicting sessions
        after a few minutes.
        Alerts: the built-in rule pack runs in the collector with its "for:" cut to 30 s; below,
        each alert is printed as it turns pending, fires and resolves (Watchdog always fires: it
        proves the pipeline works). StockSyncStalled needs the queue 10 minutes behind, which the
        1-minute stalls do not reach. Ctrl-C stops everything and removes the sandbox.
        """,
        String.join(", ", targets.stream().map(TargetConfig::name).toList()),
        url,
        cluster.primary().jdbcUrl("postgres"),
        cluster.standby().jdbcUrl("postgres"),
        url);
    out.flush();
  }
}
