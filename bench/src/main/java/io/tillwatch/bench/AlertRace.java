package io.tillwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.query.HeadSource;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.localpg.Processes;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RulePacks;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PrometheusServer;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * tillwatch and the real Prometheus side by side on one sandbox estate (a PostgreSQL primary with a
 * streaming standby, an Odoo 17 shop database, a nightly backup job's status file): the agent
 * serves {@code /metrics}, which Prometheus scrapes and evaluates with the plain part of the
 * built-in rule pack, while it also pushes to the collector, which evaluates the whole pack. Each
 * sends to an Alertmanager of its own. Three faults are injected at once (the standby's stream
 * broken, stock-sync jobs stalled, the backup made stale) and both Alertmanagers are watched for
 * the alerts.
 *
 * <p>Labels are compared as Alertmanager shows them, less what only one side adds: tillwatch's
 * {@code risk} (a business field the plain pack has not) and the target labels Prometheus puts on
 * everything it scrapes ({@code instance}, and {@code job} where the sample had none).
 */
public final class AlertRace implements AutoCloseable {
  /** The alerts the injected faults must raise. */
  public static final List<String> FAULT_ALERTS =
      List.of("StandbyStreamBroken", "StockSyncStalled", "BackupTooOld");

  private static final String SCRAPE_JOB = "tillwatch-agent";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What a race found.
   *
   * @param tillwatch time from the faults to each fault alert at tillwatch's Alertmanager
   * @param prometheus the same for Prometheus's Alertmanager
   * @param tillwatchAlerts every active alert at tillwatch's Alertmanager at the end, compared form
   * @param prometheusAlerts the same at Prometheus's
   */
  public record Result(
      Map<String, Duration> tillwatch,
      Map<String, Duration> prometheus,
      Set<String> tillwatchAlerts,
      Set<String> prometheusAlerts) {}

  private final Deque<AutoCloseable> parts = new ArrayDeque<>(); // closed in reverse order
  private ReplicatedPostgres cluster;
  private Path statusFile;
  private AlertmanagerServer oursAm;
  private AlertmanagerServer theirsAm;
  private Backend collector;
  private PrometheusServer prometheus;

  private AlertRace() {}

  /**
   * Starts the estate, tillwatch, Prometheus and the two Alertmanagers, and waits until both
   * pipelines deliver (the pack's always-firing Watchdog is at both Alertmanagers).
   *
   * @param pgBin PostgreSQL server binaries
   * @param interval the agent's scrape interval, Prometheus's scrape and evaluation interval and
   *     the collector's evaluation interval
   * @param holdFor when present, every {@code for:} of the pack becomes this in both tools (to run
   *     quickly in tests); the pack as shipped otherwise
   */
  public static AlertRace start(Path pgBin, Duration interval, Optional<Duration> holdFor)
      throws Exception {
    AlertRace race = new AlertRace();
    try {
      race.startAll(pgBin, interval, holdFor);
      return race;
    } catch (Exception | Error e) {
      race.close();
      throw e;
    }
  }

  private void startAll(Path pgBin, Duration interval, Optional<Duration> holdFor)
      throws Exception {
    cluster = ReplicatedPostgres.start(pgBin);
    parts.push(cluster);
    PostgresServer primary = cluster.primary();
    String password = UUID.randomUUID().toString();
    primary.createMonitorRole("tillwatch", password);
    primary.execute("GRANT CREATE ON SCHEMA public TO tillwatch", "CREATE DATABASE tillwatch");
    OdooDatabase.create(primary, "acme_odoo", 17, "tillwatch");
    cluster.awaitStreaming(Duration.ofSeconds(60));

    Path dir = Files.createTempDirectory("tillwatch-alert-race");
    parts.push(() -> Processes.deleteTree(dir));
    statusFile = dir.resolve("nightly.json");
    writeBackupStatus(Duration.ofHours(1));

    String pack =
        holdFor.map(d -> RulePacks.withHoldFor(RulePacks.builtin(), d)).orElse(RulePacks.builtin());
    oursAm = AlertmanagerServer.start();
    parts.push(oursAm);
    theirsAm = AlertmanagerServer.start();
    parts.push(theirsAm);

    String token = UUID.randomUUID().toString();
    CollectorConfig config =
        new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            new StorageConfig(
                Optional.of(primary.jdbcUrl("tillwatch")),
                PostgresServer.SUPERUSER,
                Secret.of(primary.superuserPassword()),
                StorageConfig.DEFAULT_RETENTION,
                dir.resolve("unused")),
            CollectorConfig.DEFAULT_HEAD,
            List.of(new TokenGrant(Secret.of(token), Set.of("*"))),
            CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
            List.of(),
            false,
            interval,
            new AlertingConfig(
                List.of(oursAm.url()), Duration.ofMinutes(1), "http://tillwatch", "", 10_000, ""));
    Tenant acme =
        new Tenant(
            "acme",
            "ACME Retail",
            Tier.DEDICATED,
            ZoneId.of("Europe/Berlin"),
            BusinessHours.always());
    collector =
        Backend.start(
            config,
            primary.jdbcUrl("tillwatch"),
            PostgresServer.SUPERUSER,
            Secret.of(primary.superuserPassword()),
            RuleFileLoader.ofText().load(Path.of(RulePacks.BUILTIN_NAME), pack),
            Map.of("acme", acme));
    parts.push(collector);

    List<TargetConfig> targets =
        List.of(
            new PostgresTargetConfig(
                "acme-primary",
                primary.jdbcUrl("postgres"),
                "tillwatch",
                Secret.of(password),
                true,
                Optional.empty(),
                Optional.empty()),
            new PostgresTargetConfig(
                "acme-standby",
                cluster.standby().jdbcUrl("postgres"),
                "tillwatch",
                Secret.of(password),
                false,
                Optional.empty(),
                Optional.empty()),
            new OdooTargetConfig(
                "acme-odoo",
                primary.jdbcUrl("acme_odoo"),
                "tillwatch",
                Secret.of(password),
                OdooTargetConfig.DEFAULT_STUCK_STARTED_AFTER,
                Optional.empty()),
            new BackupTargetConfig(
                "acme-nightly",
                BackupTargetConfig.Tool.STATUS_FILE,
                List.of(),
                Optional.of(statusFile),
                Optional.empty(),
                Optional.empty()));
    Agent agent =
        Agent.create(
            new EstateConfig(
                new AgentConfig(
                    new HostPort("127.0.0.1", 0),
                    interval,
                    interval,
                    Optional.of(
                        new PushConfig(
                            URI.create("http://127.0.0.1:" + collector.port() + "/v1/metrics"),
                            Secret.of(token),
                            PushConfig.DEFAULT_BUFFER_BYTES,
                            dir.resolve("push-buffer")))),
                List.of(new TenantConfig(acme, targets))));
    agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    parts.push(
        () -> agent.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));

    String seconds = interval.toSeconds() + "s";
    prometheus =
        PrometheusServer.start(
            """
            global:
              scrape_interval: %s
              scrape_timeout: %s
              evaluation_interval: %s
            rule_files: [pack.yml]
            alerting:
              alertmanagers:
                - static_configs: [{targets: ['127.0.0.1:%d']}]
            scrape_configs:
              - job_name: %s
                honor_labels: true
                static_configs: [{targets: ['127.0.0.1:%d']}]
            """
                .formatted(
                    seconds, seconds, seconds, theirsAm.url().getPort(), SCRAPE_JOB, agent.port()),
            Map.of("pack.yml", RulePacks.withoutBusinessFields(pack)));
    parts.push(prometheus);

    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!(active(oursAm, true).contains("Watchdog")
        && active(theirsAm, false).contains("Watchdog"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no Watchdog at both Alertmanagers after 2 minutes:\n" + prometheus.log());
      }
      Thread.sleep(200);
    }
  }

  /**
   * Injects the three faults at once and waits until both Alertmanagers hold all their alerts, then
   * until both hold the same set of alerts.
   */
  public Result run(Duration timeout) throws Exception {
    Map<String, Duration> ours = new LinkedHashMap<>();
    Map<String, Duration> theirs = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    cluster.breakStream();
    stallStockSync();
    writeBackupStatus(Duration.ofDays(9));
    long deadline = t0 + timeout.toNanos();
    while (System.nanoTime() < deadline && (ours.size() < 3 || theirs.size() < 3)) {
      seen(active(oursAm, true), ours, t0);
      seen(active(theirsAm, false), theirs, t0);
      Thread.sleep(100);
    }
    // both sides evaluate on their own clocks: let them settle on the same picture
    Set<String> a = Set.of();
    Set<String> b = Set.of();
    long settle = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < settle) {
      a = alerts(oursAm, true);
      b = alerts(theirsAm, false);
      if (a.equals(b)) {
        break;
      }
      Thread.sleep(250);
    }
    return new Result(ours, theirs, a, b);
  }

  /**
   * {@code expr} (an instant vector) as each side sees it now, e.g. how often a series changed: the
   * collector gets every scrape of the agent, Prometheus the ones it samples from /metrics.
   */
  public String compare(String expr) throws Exception {
    long now = System.currentTimeMillis();
    Value v =
        Evaluator.instant(
                new HeadSource(collector.head(), io.tillwatch.model.TenantScope.all()), now)
            .eval(Parser.parse(expr), now);
    StringBuilder b = new StringBuilder("tillwatch ");
    for (Value.Sample x : ((Value.Vector) v).samples()) {
      b.append(x.value()).append(' ');
    }
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        prometheus
                            .url()
                            .resolve(
                                "/api/v1/query?query="
                                    + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    b.append("| Prometheus ");
    for (JsonNode r : JSON.readTree(body).path("data").path("result")) {
      b.append(r.path("value").path(1).asText()).append(' ');
    }
    return b.toString().trim();
  }

  private static void seen(Set<String> active, Map<String, Duration> first, long t0) {
    for (String name : FAULT_ALERTS) {
      if (active.contains(name) && !first.containsKey(name)) {
        first.put(name, Duration.ofNanos(System.nanoTime() - t0));
      }
    }
  }

  /** A stock-sync job waiting since 20 minutes ago: the channel's worker is gone. */
  private void stallStockSync() throws Exception {
    try (Connection c = cluster.primary().connect("acme_odoo");
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO queue_job (uuid, channel, state, date_created, channel_method_name,"
                    + " model_name, method_name, retry, max_retries) VALUES (?, 'root.stock_sync',"
                    + " 'pending', (now() AT TIME ZONE 'UTC') - interval '20 minutes',"
                    + " '<product.product>.sync_stock', 'product.product', 'sync_stock', 0, 5)")) {
      ps.setString(1, UUID.randomUUID().toString());
      ps.executeUpdate();
    }
  }

  private void writeBackupStatus(Duration age) throws IOException {
    long success = System.currentTimeMillis() / 1000 - age.toSeconds();
    Path tmp = statusFile.resolveSibling("nightly.json.tmp");
    Files.writeString(
        tmp,
        """
        {"job": "nightly-basebackup", "last_success": %d, "last_run": %d, "exit_code": 0}
        """
            .formatted(success, success));
    Files.move(tmp, statusFile, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The names of the active alerts at an Alertmanager. */
  private static Set<String> active(AlertmanagerServer am, boolean ours) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String a : alerts(am, ours)) {
      names.add(a.substring(0, a.indexOf('{')));
    }
    return names;
  }

  /** The active alerts at an Alertmanager as {@code Name{label="value",...}}, compared form. */
  private static Set<String> alerts(AlertmanagerServer am, boolean ours) throws IOException {
    Set<String> out = new TreeSet<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (!a.path("status").path("state").asText().equals("active")) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      a.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
      if (ours) {
        labels.remove("risk");
      } else {
        labels.remove("instance");
        labels.remove("job", SCRAPE_JOB);
      }
      String name = labels.remove("alertname");
      StringBuilder b = new StringBuilder(name).append('{');
      labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
      out.add(b.append('}').toString());
    }
    return out;
  }

  @Override
  public void close() {
    while (!parts.isEmpty()) {
      try {
        parts.pop().close();
      } catch (Exception e) {
        System.err.println("alert race: cleaning up: " + e.getMessage());
      }
    }
  }

  /**
   * {@code AlertRace [hold-for|pack] [interval-seconds] [runs]}: the figures for bench/RESULTS.md.
   * {@code pack} keeps the pack's own {@code for:} durations.
   */
  public static void main(String[] args) throws Exception {
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    Optional<Duration> holdFor =
        args.length == 0 || args[0].equals("pack")
            ? Optional.empty()
            : Optional.of(io.tillwatch.model.Durations.parse(args[0]));
    Duration interval = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 15);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    System.out.printf(
        "for: %s, scrape and evaluation interval %s, %d run(s)%n",
        holdFor.map(Duration::toString).orElse("as in the pack"), interval, runs);
    for (int run = 1; run <= runs; run++) {
      try (AlertRace race = start(pgBin, interval, holdFor)) {
        Result r = race.run(Duration.ofMinutes(20));
        System.out.printf("run %d%n", run);
        for (String name : FAULT_ALERTS) {
          System.out.printf(
              Locale.ROOT,
              "  %-20s tillwatch %6.1f s   Prometheus %6.1f s%n",
              name,
              seconds(r.tillwatch().get(name)),
              seconds(r.prometheus().get(name)));
        }
        System.out.println(
            "  changes of the standby's stream_up in 10 min: "
                + race.compare("changes(tillwatch_pg_standby_stream_up[10m])"));
        System.out.println(
            "  samples of it in 10 min:                       "
                + race.compare("count_over_time(tillwatch_pg_standby_stream_up[10m])"));
        System.out.printf(
            "  same alerts at both Alertmanagers: %s (%d)%n",
            r.tillwatchAlerts().equals(r.prometheusAlerts()), r.tillwatchAlerts().size());
        if (!r.tillwatchAlerts().equals(r.prometheusAlerts())) {
          System.out.println("  tillwatch:  " + r.tillwatchAlerts());
          System.out.println("  Prometheus: " + r.prometheusAlerts());
        }
      }
    }
  }

  private static double seconds(Duration d) {
    return d == null ? Double.NaN : d.toMillis() / 1000.0;
  }
}
