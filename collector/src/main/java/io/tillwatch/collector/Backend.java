package io.tillwatch.collector;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.ingest.DeltaAccumulator;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.collector.ingest.WriteQueue;
import io.tillwatch.collector.query.QueryApi;
import io.tillwatch.collector.query.TieredSource;
import io.tillwatch.collector.rules.AlertPipeline;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.collector.store.Compaction;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.collector.store.SampleCache;
import io.tillwatch.collector.store.SloRollups;
import io.tillwatch.config.StartupException;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthReport;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.TenantScope;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.slo.SloCatalog;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The collector's backend, as components with a lifecycle and health: storage, the head, ingest
 * (the write queue), rule evaluation and the alert pipeline; and its HTTP routes (OTLP/HTTP ingest
 * at {@code /v1/metrics}, the Prometheus API, its own metrics, health at {@code /-/healthy} and
 * {@code /-/ready}). Background work (evaluations, storage probes, upkeep, head trimming) runs on
 * timers and reports into each component's health.
 */
public final class Backend implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Backend.class.getName());

  /** The largest request body accepted, also once unzipped. */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PROBE_EVERY = Duration.ofSeconds(5);

  private final Clock clock;
  private final Vertx vertx;
  private final PgStore store;

  /** Where stored samples are read: {@code store}, or the remote engine of storage.type remote. */
  private final io.tillwatch.collector.store.SampleStorage samples;

  /** collector.cluster: the leases on tenant shards that say which tenants this replica runs. */
  private final io.tillwatch.collector.cluster.Leases leases;

  private final HealthState clusterHealth;

  /** storage.type remote: the engine's write queue, written before each ingest commit. */
  private final io.tillwatch.collector.remote.RemoteWriter storageWriter;

  private final HealthState storageHealth;
  private final Head head;
  private final HealthState headHealth;
  private final ExecutorService headWriter;
  private final List<io.tillwatch.collector.remote.RemoteWriter> remoteWriters = new ArrayList<>();
  private final io.tillwatch.collector.remote.Handoff remoteAppender;
  private final WriteQueue queue;
  private final PrometheusMeterRegistry meters;
  private final RuleEngine rules;
  private final AlertPipeline alerts;
  private final SloLedger slos;
  private final io.tillwatch.collector.store.EventLog events;

  /** Judges releases; null when events.release_guard.enabled is false. */
  private final io.tillwatch.collector.events.ReleaseGuard releaseGuard;

  private final io.tillwatch.collector.report.ReportFacts reportFacts;
  // replaced by a reload; which reports were sent is in storage (ReportSends), kept across it
  private volatile java.util.Optional<io.tillwatch.collector.report.WeeklyReports> reports;
  private final java.util.concurrent.atomic.AtomicBoolean counting =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Duration headWindow;
  private final io.micrometer.core.instrument.Counter compactedSamples;
  private long headLoadedSamples;
  private final DeltaAccumulator deltas;
  private HttpServer server;
  private QueryApi api;

  private Backend(
      CollectorConfig config,
      PgStore store,
      List<RuleGroup> ruleGroups,
      SloCatalog sloCatalog,
      Map<String, Tenant> tenants,
      Clock clock) {
    this.clock = clock;
    this.store = store;
    this.storageHealth = new HealthState(clock);
    this.head = new Head(config.head());
    this.headHealth = new HealthState(clock);
    this.headWindow = config.head();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // the process as the agent and every client_java exporter show it (lint-clean names): heap
    // and pools (after the last collection too), GC, threads, CPU seconds, memory
    io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder()
        .register(meters.getPrometheusRegistry());
    if (config.storage().remote().isPresent()) {
      // samples go to the remote engine (its write queue on disk, before each commit), and are
      // read back from its query API; PostgreSQL keeps series ids, alert state and rollups
      io.tillwatch.collector.config.RemoteStorageConfig remote = config.storage().remote().get();
      this.storageWriter = new io.tillwatch.collector.remote.RemoteWriter(remote.write(), meters);
      store.samplesTo(storageWriter::append);
      this.samples =
          new io.tillwatch.collector.remote.PrometheusApiStorage(
              remote, store.knownTenants(tenants.keySet()));
    } else {
      this.storageWriter = null;
      this.samples = io.tillwatch.collector.store.SampleStorage.of(store);
    }
    if (config.storage().remote().isEmpty() && config.cluster().isEmpty()) {
      // settled samples read from storage stay in memory for the next read (dashboards, SLOs);
      // not with replicas, whose late writes to the same database this cache would not see
      store.cacheReads(
          config.query().sampleCacheBytes(),
          () -> TieredSource.headStart(head, System.currentTimeMillis()));
    }
    SampleCache sampleCache = store.cache();
    if (sampleCache != null) {
      meters.gauge("tillwatch.collector.sample.cache.bytes", sampleCache, SampleCache::bytes);
      io.micrometer.core.instrument.FunctionCounter.builder(
              "tillwatch.collector.sample.cache.hits", sampleCache, c -> c.hitsAndMisses()[0])
          .description("Series read from the sample cache")
          .register(meters);
      io.micrometer.core.instrument.FunctionCounter.builder(
              "tillwatch.collector.sample.cache.misses", sampleCache, c -> c.hitsAndMisses()[1])
          .description("Series the sample cache did not hold far enough back: read from storage")
          .register(meters);
    }
    io.micrometer.core.instrument.Gauge.builder(
            "tillwatch.config.last.reload.successful",
            reloads,
            io.tillwatch.config.ConfigReloads::lastSuccessful)
        .description("Whether the last configuration reload succeeded (1) or was refused (0).")
        .register(meters);
    io.micrometer.core.instrument.Gauge.builder(
            "tillwatch.config.last.reload.success.timestamp.seconds",
            reloads,
            io.tillwatch.config.ConfigReloads::lastSuccessSeconds)
        .description("When the configuration was last loaded successfully (start or reload).")
        .register(meters);
    meters.gauge("tillwatch.collector.head.series", head, h -> h.series().size());
    meters.gauge("tillwatch.collector.head.samples", head, Head::samples);
    meters.gauge("tillwatch.collector.head.bytes", head, Head::bytes);
    this.compactedSamples =
        io.micrometer.core.instrument.Counter.builder("tillwatch.collector.compacted.samples")
            .description("Samples moved from raw rows into compressed chunks")
            .register(meters);
    // committed batches go to the head on a thread of its own, in commit order, so that the
    // writer goes on with the next transaction meanwhile
    this.headWriter =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("tillwatch-head").daemon().factory());
    // what is committed goes to every remote-write endpoint's queue, in commit order
    for (io.tillwatch.collector.config.RemoteWriteConfig r : config.remoteWrite()) {
      remoteWriters.add(new io.tillwatch.collector.remote.RemoteWriter(r, meters));
    }
    this.remoteAppender =
        remoteWriters.isEmpty()
            ? null
            : new io.tillwatch.collector.remote.Handoff("tillwatch-remote-queue", 256);
    this.deltas = new DeltaAccumulator();
    this.queue =
        new WriteQueue(
            store,
            deltas,
            config.maxQueuedSamples(),
            (batch, ids) -> {
              headWriter.execute(() -> append(head, batch, ids));
              if (remoteAppender != null) {
                remoteAppender.execute(() -> forward(batch, ids));
              }
            },
            meters,
            clock);
    this.rules =
        new RuleEngine(
            ruleGroups,
            config.evaluationInterval(),
            TieredSource.of(head, samples, TenantScope.all()),
            batch -> queue.offer(batch) != null,
            meters,
            tenants,
            clock);
    this.clusterHealth = new HealthState(clock);
    if (config.cluster().isPresent()) {
      io.tillwatch.collector.config.ClusterConfig cc = config.cluster().get();
      this.leases =
          new io.tillwatch.collector.cluster.Leases(
              store::read,
              cc.replica(),
              cc.address(),
              cc.shards(),
              cc.leaseTtl(config.evaluationInterval()),
              clock::millis);
      java.util.function.Supplier<java.util.Set<String>> known =
          store.knownTenants(tenants.keySet());
      // each group for this replica's tenants, over their series only
      rules.shareTenants(
          leases::current,
          owned -> TieredSource.of(head, samples, owned(owned, known.get())),
          store::loadAlerts);
    } else {
      this.leases = null;
    }
    this.alerts = new AlertPipeline(store, config.alerting(), meters, clock);
    this.slos =
        new SloLedger(
            sloCatalog,
            tenants,
            new SloRollups(store),
            TieredSource.of(head, samples, TenantScope.all()),
            config.storage().retention(),
            clock);
    this.events = new io.tillwatch.collector.store.EventLog(store);
    this.releaseGuard =
        config.events().releaseGuard().enabled()
            ? new io.tillwatch.collector.events.ReleaseGuard(
                events,
                config.events().releaseGuard(),
                tenant -> TieredSource.of(head, samples, TenantScope.of(java.util.Set.of(tenant))),
                batch -> queue.offer(batch) != null,
                clock)
            : null;
    if (releaseGuard != null && leases != null) {
      releaseGuard.onlyTenants(t -> leases.current().owns(t));
    }
    slos.excludeMaintenance(
        new io.tillwatch.collector.events.MaintenanceExclusions(events, config.events()));
    this.reportFacts =
        new io.tillwatch.collector.report.ReportFacts(
            slos, TieredSource.of(head, samples, TenantScope.all()), ruleGroups, events, clock);
    this.reports = weeklyReports(config.reports());
    this.reportsConfig = config.reports();
    this.vertx = Vertx.vertx();
  }

  /** The weekly reports {@code config} sets up, sending only this collector's subjects. */
  private java.util.Optional<io.tillwatch.collector.report.WeeklyReports> weeklyReports(
      io.tillwatch.collector.config.ReportsConfig config) {
    java.util.Optional<io.tillwatch.collector.report.WeeklyReports> made =
        config
            .weekly()
            .map(
                w ->
                    new io.tillwatch.collector.report.WeeklyReports(
                        w,
                        reportFacts,
                        new io.tillwatch.collector.store.ReportSends(store),
                        new io.tillwatch.alerting.report.ReportRenderer(
                            w.brand(), io.tillwatch.alerting.report.ReportFonts.system()),
                        new io.tillwatch.alerting.report.ReportMailer(w.smtp()),
                        meters,
                        batch -> queue.offer(batch) != null,
                        clock));
    if (leases != null) {
      made.ifPresent(
          r ->
              r.onlySubjects(
                  subject ->
                      leases
                          .current()
                          .owns(
                              subject.equals(io.tillwatch.alerting.report.WeeklyReport.ESTATE)
                                  ? RuleEngine.PLATFORM_TENANT
                                  : subject)));
    }
    return made;
  }

  /** The tenants of {@code known} (and the platform's series) that {@code owned} gives here. */
  private static TenantScope owned(
      io.tillwatch.collector.cluster.Leases.Snapshot owned, java.util.Set<String> known) {
    java.util.Set<String> mine = new java.util.TreeSet<>();
    for (String t : known) {
      if (owned.owns(t)) {
        mine.add(t);
      }
    }
    if (owned.owns(RuleEngine.PLATFORM_TENANT)) {
      mine.add(RuleEngine.PLATFORM_TENANT);
    }
    return TenantScope.of(mine);
  }

  /**
   * Starts a backend on storage at {@code jdbcUrl}.
   *
   * @throws SQLException when storage cannot be reached or migrated
   */
  public static Backend start(CollectorConfig config, String jdbcUrl, String user, Secret password)
      throws SQLException {
    return start(config, jdbcUrl, user, password, List.of(), Map.of());
  }

  /**
   * Starts a backend that also evaluates {@code ruleGroups} (default interval: the file's
   * evaluation interval) and serves the Prometheus HTTP API.
   *
   * @throws SQLException when storage cannot be reached or migrated
   */
  public static Backend start(
      CollectorConfig config,
      String jdbcUrl,
      String user,
      Secret password,
      List<RuleGroup> ruleGroups,
      Map<String, Tenant> tenants)
      throws SQLException {
    return start(config, jdbcUrl, user, password, ruleGroups, tenants, Clock.systemUTC());
  }

  /** As above, on {@code clock}. */
  public static Backend start(
      CollectorConfig config,
      String jdbcUrl,
      String user,
      Secret password,
      List<RuleGroup> ruleGroups,
      Map<String, Tenant> tenants,
      Clock clock)
      throws SQLException {
    return start(config, jdbcUrl, user, password, ruleGroups, SloCatalog.EMPTY, tenants, clock);
  }

  /**
   * As above, also keeping the daily rollups of {@code slos} (what calendar windows, business-hours
   * SLOs and history are judged from).
   */
  public static Backend start(
      CollectorConfig config,
      String jdbcUrl,
      String user,
      Secret password,
      List<RuleGroup> ruleGroups,
      SloCatalog slos,
      Map<String, Tenant> tenants,
      Clock clock)
      throws SQLException {
    PgStore store =
        PgStore.open(
            jdbcUrl,
            user,
            password,
            config.storage().retention(),
            config.query().timeout(),
            config.storage().layout());
    Backend b;
    try {
      b = new Backend(config, store, ruleGroups, slos, tenants, clock);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      if (b.leases != null) {
        // other replicas ingest too: this head never holds all of a tenant's samples, storage
        // answers every read; alert state comes with each tenant's lease
        b.head.completeFrom(Long.MAX_VALUE);
        b.renewLeases();
      } else if (b.storageWriter == null) {
        b.headLoadedSamples = store.scan(clock.instant().minus(b.headWindow), b.head::append);
        b.alerts.restore(b.rules);
      } else {
        // the remote engine holds the past: the head answers from now on, the engine before
        b.head.completeFrom(clock.millis());
        b.alerts.restore(b.rules);
      }
      b.queue.start();
      b.listen(config);
    } catch (SQLException | RuntimeException e) {
      b.close(); // closes storage too
      throw e;
    }
    b.schedule(config);
    return b;
  }

  private void listen(CollectorConfig config) {
    this.access = new Access(config.tokens());
    Access access = this.access;
    IngestHandler ingest =
        new IngestHandler(
            vertx,
            access,
            queue,
            MAX_BODY_BYTES,
            meters,
            config.limits(),
            head,
            clock,
            id -> {
              try {
                return store.committedBatch(id);
              } catch (SQLException e) {
                throw new IllegalStateException("storage unavailable: " + e.getMessage(), e);
              }
            });
    this.api = new QueryApi(access, head, rules, samples, slos, config.query(), leases);
    io.tillwatch.collector.query.EventsApi eventsApi =
        new io.tillwatch.collector.query.EventsApi(
            vertx, access, events, batch -> queue.offer(batch) != null, config.limits(), clock);
    Routes routes =
        new Routes(ingest, api, eventsApi, meters, this::health, access, config.web(), this);
    try {
      // HTTP/1.1 only, as Prometheus serves; TLS as the web configuration says, an idle
      // timeout and a cap on connections
      server =
          io.tillwatch.web.Listeners.server(
                  vertx,
                  config.web(),
                  io.tillwatch.web.Listeners.Limits.DEFAULT,
                  routes.router(vertx))
              .listen(config.listen().port(), config.listen().host())
              .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      String where = config.listen().host() + ":" + config.listen().port();
      throw StartupException.portInUse(e, where, "listen")
          .orElseGet(
              () -> new StartupException("listen", "cannot listen on " + where + ": " + e, e));
    }
  }

  // each rule group's timer, replaced with the groups by a reload
  private final Map<RuleEngine.GroupState, Long> ruleTimers = new java.util.HashMap<>();

  private synchronized void scheduleRules() {
    ruleTimers.values().forEach(vertx::cancelTimer);
    ruleTimers.clear();
    for (RuleEngine.GroupState g : rules.groups()) {
      ruleTimers.put(
          g,
          vertx.setPeriodic(
              g.interval().toMillis(), id -> vertx.executeBlocking(() -> evaluateNow(g), false)));
    }
  }

  /**
   * What a reload applies: the rule groups (SLO rules among them), the SLO catalogue, the tokens,
   * the Alertmanagers and alert links, and the weekly reports (null: those stay as they are).
   */
  public record Reloaded(
      List<RuleGroup> groups,
      SloCatalog slos,
      List<io.tillwatch.collector.config.TokenGrant> tokens,
      io.tillwatch.collector.config.AlertingConfig alerting,
      io.tillwatch.collector.config.ReportsConfig reports) {
    /** Rules, SLOs and tokens; alerting and reports as they are. */
    public Reloaded(
        List<RuleGroup> groups,
        SloCatalog slos,
        List<io.tillwatch.collector.config.TokenGrant> tokens) {
      this(groups, slos, tokens, null, null);
    }
  }

  // the weekly reports' settings running, for a reload to compare with
  private io.tillwatch.collector.config.ReportsConfig reportsConfig;

  // who may write and read what: the tokens of the file, replaced by a reload
  private Access access;

  // reloads: where rule groups are read again (the collector, rule and SLO files), how the last
  // went
  private volatile java.util.function.Supplier<Reloaded> reloadRules;
  private final io.tillwatch.config.ConfigReloads reloads = new io.tillwatch.config.ConfigReloads();
  private volatile boolean lifecycle;

  /**
   * Where {@link #reload()} reads the rule groups: the collector file, its rule and SLO files (a
   * file that does not load throws, with its position).
   */
  public void reloadFrom(java.util.function.Supplier<Reloaded> files) {
    this.reloadRules = files;
  }

  /** Answers {@code POST /-/reload} too (Prometheus's {@code --web.enable-lifecycle}). */
  public void enableLifecycle() {
    this.lifecycle = true;
  }

  /** Whether {@code POST /-/reload} is answered. */
  boolean lifecycleEnabled() {
    return lifecycle;
  }

  /**
   * Reads the rule groups again and evaluates them from now on: the alerts of rules that stay go on
   * where they were (firing ones stay firing, nothing is resolved), new rules start, removed ones
   * stop. Files that do not load are refused: the running rules stay and {@code
   * tillwatch_config_last_reload_successful} is 0.
   */
  public io.vertx.core.Future<Void> reload() {
    java.util.function.Supplier<Reloaded> from = reloadRules;
    if (from == null) {
      return io.vertx.core.Future.failedFuture(
          new IllegalStateException("no configuration files to reload from"));
    }
    return vertx.executeBlocking(
        () -> {
          Reloaded next = reloads.read(from);
          synchronized (this) {
            rules.replaceGroups(next.groups());
            slos.replaceCatalog(next.slos());
            access.replace(next.tokens());
            scheduleRules();
            if (next.alerting() != null) {
              alerts.reconfigure(next.alerting());
            }
            if (next.reports() != null && !next.reports().equals(reportsConfig)) {
              // the old one's series go first: the new one registers the same names
              reports.ifPresent(io.tillwatch.collector.report.WeeklyReports::close);
              reports = weeklyReports(next.reports());
              reportsConfig = next.reports();
            }
          }
          reloads.applied(
              ": " + next.groups().size() + " rule groups, " + next.slos().slos().size() + " SLOs");
          return null;
        },
        false);
  }

  private void schedule(CollectorConfig config) {
    scheduleRules();
    // storage is probed every few seconds: readiness (and the hold of rule evaluation) follows
    vertx.setPeriodic(
        Math.min(PROBE_EVERY.toMillis(), config.evaluationInterval().toMillis()),
        id -> vertx.executeBlocking(this::probeStorage, false));
    if (leases != null) {
      vertx.setPeriodic(
          leases.round().toMillis(), id -> vertx.executeBlocking(this::renewLeases, false));
    }
    // also without SLOs: a reload may bring some
    vertx.setPeriodic(
        config.evaluationInterval().toMillis(),
        id -> vertx.executeBlocking(this::countSlos, false));
    if (releaseGuard != null) {
      vertx.setPeriodic(
          Math.min(config.evaluationInterval().toMillis(), Duration.ofMinutes(1).toMillis()),
          id -> vertx.executeBlocking(releaseGuard::run, false));
    }
    // also without reports: a reload may bring some
    vertx.setPeriodic(
        Duration.ofSeconds(20).toMillis(),
        REPORTS_EVERY.toMillis(),
        id -> vertx.executeBlocking(() -> reports.map(r -> r.runOnce()).orElse(0), false));
    // the collector's own metrics stored like any series, for the "tillwatch itself" dashboard
    if (config.ownMetricsInterval().isPositive()) {
      vertx.setPeriodic(
          Duration.ofSeconds(1).toMillis(),
          config.ownMetricsInterval().toMillis(),
          id -> vertx.executeBlocking(this::recordOwnMetrics, false));
    }
    vertx.setPeriodic(Duration.ofMinutes(1).toMillis(), id -> trimHead());
    vertx.setPeriodic(
        Duration.ofHours(1).toMillis(), id -> vertx.executeBlocking(this::maintainStorage));
    vertx.setPeriodic(
        Duration.ofMinutes(1).toMillis(),
        COMPACTION_EVERY.toMillis(),
        id -> vertx.executeBlocking(this::compactStorage, false));
  }

  /** A timer's evaluation: skipped (and counted) while the group's previous one still runs. */
  private Void evaluateNow(RuleEngine.GroupState g) {
    long time = clock.millis();
    if (storageDown()) {
      // without storage no new data arrives: evaluating would resolve every alert for lack of
      // it. Alerts hold where they were (firing ones are re-sent, the Watchdog is not)
      alerts.hold(g, time);
      return null;
    }
    rules.evaluateUnlessRunning(g, time, () -> alerts.afterEvaluation(g, time));
    return null;
  }

  /** Whether ingest cannot commit: storage unreachable, or its last write failed. */
  private boolean storageDown() {
    return !storageHealth.check().ok() || !queue.check().ok();
  }

  // since when storage is down, while it is
  private volatile java.time.Instant downSince;

  /** {@value AlertPipeline#STORAGE_DOWN} to Alertmanager while storage is down, resolved after. */
  private void storageAlarm() {
    long now = clock.millis();
    if (storageDown()) {
      if (downSince == null) {
        downSince = java.time.Instant.ofEpochMilli(now);
        LOG.log(System.Logger.Level.ERROR, "storage is down: rule evaluation holds");
      }
      String reason =
          storageHealth.check().failure().orElseGet(() -> queue.check().failure().orElse(""));
      alerts.storageDown(downSince, now, reason, STORAGE_DOWN_VALID);
    } else if (downSince != null) {
      alerts.storageUp(downSince, now);
      LOG.log(System.Logger.Level.INFO, "storage is back: rule evaluation resumes");
      downSince = null;
    }
  }

  /** How long a sent {@value AlertPipeline#STORAGE_DOWN} holds at Alertmanager without a resend. */
  private static final Duration STORAGE_DOWN_VALID = Duration.ofMinutes(2);

  /** A timer's count of the SLO rollups: skipped while the previous one still runs. */
  private Long countSlos() {
    // replicas: the rollups are counted by the replica that holds the platform's shard
    if (leases != null && !leases.current().owns(RuleEngine.PLATFORM_TENANT)) {
      return 0L;
    }
    if (!counting.compareAndSet(false, true)) {
      return 0L;
    }
    try {
      return slos.update();
    } finally {
      counting.set(false);
    }
  }

  private Void renewLeases() {
    try {
      leases.renew();
      clusterHealth.succeeded();
    } catch (SQLException | RuntimeException e) {
      clusterHealth.failed("renewing tenant leases: " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "renewing tenant leases: " + e.getMessage());
    }
    return null;
  }

  /** The leases of this replica, when it is one of several. */
  public java.util.Optional<io.tillwatch.collector.cluster.Leases> leases() {
    return java.util.Optional.ofNullable(leases);
  }

  private Void probeStorage() {
    try {
      store.ping(PROBE_TIMEOUT);
      storageHealth.succeeded();
      queue.storageReachable(); // the writer's last failure no longer says storage is down
    } catch (SQLException e) {
      storageHealth.failed("unreachable: " + e.getMessage());
    }
    storageAlarm();
    return null;
  }

  private Integer maintainStorage() {
    try {
      int dropped = store.maintain();
      new SloRollups(store).expire(java.time.LocalDate.now(clock));
      storageHealth.succeeded();
      return dropped;
    } catch (SQLException e) {
      storageHealth.failed("upkeep (partitions, retention) failed: " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "storage upkeep failed: " + e.getMessage());
      return 0;
    }
  }

  /** How often due weekly reports are looked for. */
  static final Duration REPORTS_EVERY = Duration.ofMinutes(1);

  /** How often sealed days are looked for. */
  static final Duration COMPACTION_EVERY = Duration.ofMinutes(10);

  /**
   * Moves the days that ended more than the head's window and an hour ago (late samples have
   * arrived by then) from rows into compressed chunks.
   */
  public Compaction.Result compactStorage() {
    try {
      Compaction.Result r =
          store.compact(clock.instant().minus(headWindow).minus(Duration.ofHours(1)));
      compactedSamples.increment(r.samples());
      return r;
    } catch (SQLException e) {
      storageHealth.failed("upkeep (compaction) failed: " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "storage compaction failed: " + e.getMessage());
      return new Compaction.Result(0, 0, 0);
    }
  }

  /**
   * What {@code /metrics} shows now, written as samples: a series with a {@code tenant} label under
   * that tenant (its token sees it), the others under {@value RuleEngine#PLATFORM_TENANT}. Report
   * ages are left out: the weekly reports write them at their own times.
   */
  private Void recordOwnMetrics() {
    SampleBatch batch = new SampleBatch();
    long now = clock.millis();
    for (OwnMetrics.Point p :
        OwnMetrics.of(
            meters.getPrometheusRegistry().scrape(),
            name -> !name.equals(io.tillwatch.collector.report.WeeklyReports.UNSENT_METRIC),
            io.tillwatch.model.Labels.empty())) {
      String tenant = p.labels().get("tenant");
      io.tillwatch.model.Labels labels =
          tenant == null ? p.labels().with("tenant", RuleEngine.PLATFORM_TENANT) : p.labels();
      batch.add(
          new io.tillwatch.model.Series(p.name(), labels),
          tenant == null ? RuleEngine.PLATFORM_TENANT : tenant,
          now,
          p.value(),
          false);
    }
    if (batch.size() > 0 && queue.offer(batch) == null) {
      LOG.log(
          System.Logger.Level.WARNING, "write queue full: the collector's own metrics not stored");
    }
    return null;
  }

  /** Its own metrics (what {@code /metrics} shows). */
  public io.micrometer.core.instrument.MeterRegistry meters() {
    return meters;
  }

  private void trimHead() {
    try {
      head.trim(clock.millis());
      // what the head let go is no longer active: its cached id goes, and delta totals left
      // alone for as long as the head holds
      store.forgetInactive(head::contains);
      deltas.forgetUntouchedSince(System.currentTimeMillis() - headWindow.toMillis());
      headHealth.succeeded();
    } catch (RuntimeException e) {
      headHealth.failed("trimming failed: " + e);
    }
  }

  /**
   * Waits until everything offered before the call is committed, in the head and in the
   * remote-write queues (for tests and tools that evaluate right after writing).
   */
  public void settle(Duration atMost) throws Exception {
    long until = System.nanoTime() + atMost.toNanos();
    java.util.concurrent.CompletableFuture<Void> committed = queue.offer(new SampleBatch());
    if (committed == null) {
      throw new IllegalStateException("the write queue is full");
    }
    committed.get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    java.util.concurrent.CompletableFuture<Void> inHead =
        new java.util.concurrent.CompletableFuture<>();
    headWriter.execute(() -> inHead.complete(null));
    inHead.get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    if (remoteAppender != null) {
      java.util.concurrent.CompletableFuture<Void> queued =
          new java.util.concurrent.CompletableFuture<>();
      remoteAppender.execute(() -> queued.complete(null));
      queued.get(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Series and samples in this collector's PostgreSQL. */
  public PgStore.Counts storeCounts() throws SQLException {
    return store.counts();
  }

  /** Samples queued for remote write and not yet sent, over every endpoint. */
  public long remotePending() {
    long n = storageWriter == null ? 0 : storageWriter.pending();
    for (io.tillwatch.collector.remote.RemoteWriter w : remoteWriters) {
      n += w.pending();
    }
    return n;
  }

  private void forward(SampleBatch batch, long[] ids) {
    for (io.tillwatch.collector.remote.RemoteWriter w : remoteWriters) {
      try {
        w.append(batch, ids);
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.ERROR,
            "cannot queue " + batch.size() + " samples for remote write: " + e.getMessage());
      }
    }
  }

  private static void append(Head head, SampleBatch batch, long[] ids) {
    for (int i = 0; i < batch.size(); i++) {
      head.append(ids[i], batch.series(i), batch.time(i), batch.value(i));
    }
  }

  /**
   * One evaluation of a group: rules, then the alerts due sent to every Alertmanager and the alert
   * state saved (a restart takes it up). Blocking.
   */
  public void evaluate(RuleEngine.GroupState g, long time) {
    rules.evaluate(g, time);
    alerts.afterEvaluation(g, time);
  }

  /** Every component's health now; what {@code /-/ready} and {@code /-/healthy} answer. */
  public HealthReport health() {
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("storage", storageHealth);
    checks.put("ingest", queue);
    checks.put("head", headHealth);
    checks.put("rules", rules);
    checks.put("alerts", alerts);
    checks.put("slos", slos);
    if (leases != null) {
      checks.put("cluster", clusterHealth);
    }
    reports.ifPresent(r -> checks.put("reports", r));
    if (releaseGuard != null) {
      checks.put("releases", releaseGuard);
    }
    return HealthReport.of(checks);
  }

  /** The rule engine (groups, alert state). */
  public RuleEngine rules() {
    return rules;
  }

  /** What weekly reports are made of: figures of a tenant's or the estate's week. */
  public io.tillwatch.collector.report.ReportFacts reportFacts() {
    return reportFacts;
  }

  /** The weekly reports, when configured. */
  public java.util.Optional<io.tillwatch.collector.report.WeeklyReports> reports() {
    return reports;
  }

  /** The events of every tenant (releases, maintenance, incidents, notes). */
  public io.tillwatch.collector.store.EventLog events() {
    return events;
  }

  /** The release guard, unless events.release_guard.enabled is false. */
  public java.util.Optional<io.tillwatch.collector.events.ReleaseGuard> releaseGuard() {
    return java.util.Optional.ofNullable(releaseGuard);
  }

  /** The SLO rollups. */
  public SloLedger slos() {
    return slos;
  }

  /** The port ingest and API listen on. */
  public int port() {
    return server.actualPort();
  }

  /** The in-memory head of recent samples. */
  public Head head() {
    return head;
  }

  /** Storage. */
  public PgStore store() {
    return store;
  }

  /** Samples accepted and waiting to be written. */
  public long queuedSamples() {
    return queue.queuedSamples();
  }

  /** Samples read from storage into the head at start. */
  public long headLoadedSamples() {
    return headLoadedSamples;
  }

  /** Stops listening, writes what is queued, closes storage. */
  @Override
  public void close() {
    if (leases != null) {
      try {
        leases.leave(); // the others take this replica's tenants at their next round
      } catch (SQLException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "giving up tenant leases: " + e.getMessage());
      }
    }
    if (server != null) {
      try {
        server.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the HTTP server", e);
      }
    }
    try {
      queue.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    headWriter.shutdown();
    if (remoteAppender != null) {
      remoteAppender.close();
    }
    remoteWriters.forEach(io.tillwatch.collector.remote.RemoteWriter::close);
    if (storageWriter != null) {
      storageWriter.close();
    }
    if (api != null) {
      api.close();
    }
    alerts.close();
    store.close();
    meters.close();
    vertx.close();
  }
}
