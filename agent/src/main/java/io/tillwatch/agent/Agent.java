package io.tillwatch.agent;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.agent.internal.MetricsServer;
import io.tillwatch.agent.internal.SampleSnapshots;
import io.tillwatch.agent.internal.ScrapeRunner;
import io.tillwatch.agent.push.OtlpEncoder;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.agent.traefik.ExpositionParser;
import io.tillwatch.agent.traefik.ExpositionSamples;
import io.tillwatch.agent.traefik.ParsedSample;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthReport;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent: one scrape schedule per target of the estate, and {@code /metrics} with every target's
 * samples, the runner's per-target metrics and the agent's own (JVM, scrapes). Built from config
 * alone; nothing runs before {@link #start()}.
 */
public final class Agent {
  // replaced by a reload (its listen, push and web settings stay those the agent started with)
  private volatile EstateConfig config;
  private final Vertx vertx;
  private final ExecutorService blocking;
  private final ScrapeRunner runner;
  private final MetricsServer server;
  private final PrometheusMeterRegistry meters;
  private final Optional<Pusher> pusher; // with agent.push

  /** How long scrapes finishing together are gathered into one push batch. */
  private static final long PUSH_LINGER_MS = 1000;

  private final java.util.concurrent.atomic.AtomicBoolean flushPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile int port = -1;
  private final HealthState bufferHealth = new HealthState(java.time.Clock.systemUTC());

  // the tenants directory: each file's content and the targets made from it, kept while the file
  // stays the same (a changed file restarts its own targets only); touched on the vert.x context
  private record TenantFile(String content, List<ScrapeTarget> targets) {}

  private final Map<java.nio.file.Path, TenantFile> tenantFiles = new LinkedHashMap<>();

  /** A target of the estate file, with what it was made from (kept across reloads if unchanged). */
  private record Fixed(
      String tenant, TargetConfig config, Duration interval, ScrapeTarget target) {}

  private volatile Map<String, Fixed> fixedTargets = Map.of();
  private volatile CollectorContext collectorContext;
  private final io.tillwatch.agent.config.EstateConfigLoader loader;
  private volatile String directoryState = "";
  private final java.util.concurrent.atomic.AtomicInteger validFiles =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger brokenFiles =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean rescanning =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Agent(EstateConfig config, io.tillwatch.config.Interpolation interpolation) {
    this.config = config;
    this.loader = new io.tillwatch.agent.config.EstateConfigLoader(interpolation);
    this.vertx = Vertx.vertx();
    this.blocking =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("scrape-", 0).factory());
    PrometheusRegistry registry = new PrometheusRegistry();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry, Clock.SYSTEM);
    JvmMetrics.builder().register(registry);
    this.collectorContext =
        new CollectorContext(config.agent().timeout(), blocking, java.time.Clock.systemUTC());
    this.fixedTargets = fixed(config);
    List<ScrapeTarget> targets = new ArrayList<>(fixedTargets().stream().toList());
    if (config.tenantsDir().isPresent()) {
      directoryState = directoryState();
      targets.addAll(scanTenants());
    }
    this.runner = new ScrapeRunner(vertx, targets, meters);
    Gauge.builder(
            "tillwatch.config.last.reload.successful",
            reloads,
            io.tillwatch.config.ConfigReloads::lastSuccessful)
        .description("Whether the last configuration reload succeeded (1) or was refused (0).")
        .register(meters);
    Gauge.builder(
            "tillwatch.config.last.reload.success.timestamp.seconds",
            reloads,
            io.tillwatch.config.ConfigReloads::lastSuccessSeconds)
        .description("When the configuration was last loaded successfully (start or reload).")
        .register(meters);
    Gauge.builder(
            "tillwatch.agent.tenant.files",
            validFiles,
            java.util.concurrent.atomic.AtomicInteger::get)
        .description(
            "Tenant files of tenants_dir read, by state: valid (scraped) or invalid (left out, logged with their position).")
        .tag("state", "valid")
        .register(meters);
    Gauge.builder(
            "tillwatch.agent.tenant.files",
            brokenFiles,
            java.util.concurrent.atomic.AtomicInteger::get)
        .description(
            "Tenant files of tenants_dir read, by state: valid (scraped) or invalid (left out, logged with their position).")
        .tag("state", "invalid")
        .register(meters);
    Gauge.builder("tillwatch.agent.targets", runner, ScrapeRunner::size)
        .description("Targets the agent scrapes.")
        .register(meters);
    registry.register(new SampleSnapshots(runner::samples));
    this.pusher = config.agent().push().map(p -> new Pusher(p, meters));
    if (pusher.isPresent()) {
      Pusher push = pusher.get();
      runner.onScrape(
          (time, samples) -> {
            push.add(new OtlpEncoder.Scrape(time, samples));
            // a second after the first scrape of a round the batch goes, not at the next interval
            if (flushPending.compareAndSet(false, true)) {
              vertx.setTimer(
                  PUSH_LINGER_MS,
                  id ->
                      vertx.executeBlocking(
                          () -> {
                            flushPending.set(false);
                            if (push.config().ownMetrics()) {
                              push.add(
                                  new OtlpEncoder.Scrape(
                                      System.currentTimeMillis(), ownSamples(registry)));
                            }
                            return flushQuietly();
                          },
                          false));
            }
          });
    }
    this.server =
        new MetricsServer(
            vertx, config.agent().listen(), registry, this::health, config.agent().web());
  }

  /** An agent for this estate (its tenant files read with the environment); starts nothing. */
  public static Agent create(EstateConfig config) {
    return new Agent(
        config,
        new io.tillwatch.config.Interpolation(System::getenv, java.nio.file.Files::readString));
  }

  /**
   * As above, {@code ${ENV}} and {@code file:} in tenant files resolved by {@code interpolation}.
   */
  public static Agent create(EstateConfig config, io.tillwatch.config.Interpolation interpolation) {
    return new Agent(config, interpolation);
  }

  /** How often the tenants directory is looked at, at most. */
  static final Duration TENANTS_DIR_EVERY = Duration.ofSeconds(5);

  /**
   * Reads the tenants directory when its files changed (names, sizes, times): the targets of
   * unchanged files are kept as they are, changed and new files get new targets, broken ones are
   * logged with their position and left out (with their previous targets, if they had any).
   */
  private List<ScrapeTarget> scanTenants() {
    io.tillwatch.agent.config.EstateConfigLoader.TenantFiles files;
    try {
      files = loader.loadTenantFiles(config);
    } catch (io.tillwatch.config.ConfigException e) {
      LOG.log(System.Logger.Level.ERROR, "tenants_dir: " + e.getMessage());
      brokenFiles.set(1);
      validFiles.set(0);
      return tenantFiles.values().stream().flatMap(f -> f.targets().stream()).toList();
    }
    java.util.Map<java.nio.file.Path, TenantFile> next = new LinkedHashMap<>();
    List<ScrapeTarget> out = new ArrayList<>();
    for (var e : files.valid().entrySet()) {
      String content;
      try {
        content = java.nio.file.Files.readString(e.getKey());
      } catch (java.io.IOException gone) {
        continue; // removed meanwhile: the next look finds it gone
      }
      TenantFile before = tenantFiles.get(e.getKey());
      TenantFile now =
          before != null && before.content().equals(content)
              ? before
              : new TenantFile(content, targets(config, List.of(e.getValue()), collectorContext));
      if (before == null) {
        LOG.log(
            System.Logger.Level.INFO,
            "tenant file " + e.getKey() + ": tenant " + e.getValue().tenant().id() + " added");
      }
      next.put(e.getKey(), now);
      out.addAll(now.targets());
    }
    files
        .broken()
        .forEach(
            (f, error) ->
                LOG.log(System.Logger.Level.ERROR, "tenant file left out: " + error.getMessage()));
    tenantFiles.clear();
    tenantFiles.putAll(next);
    validFiles.set(files.valid().size());
    brokenFiles.set(files.broken().size());
    return out;
  }

  /** The directory's files as a comparable text: names, sizes and modification times. */
  private String directoryState() {
    java.nio.file.Path dir = config.tenantsDir().orElseThrow();
    StringBuilder b = new StringBuilder();
    try (var list = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path f : list.sorted().toList()) {
        var attrs =
            java.nio.file.Files.readAttributes(
                f, java.nio.file.attribute.BasicFileAttributes.class);
        b.append(f.getFileName())
            .append(' ')
            .append(attrs.size())
            .append(' ')
            .append(attrs.lastModifiedTime().toMillis())
            .append('\n');
      }
    } catch (java.io.IOException e) {
      return "unreadable: " + e.getMessage();
    }
    return b.toString();
  }

  /** A look at the tenants directory: the targets changed when its files did. */
  private void rescan() {
    if (config.tenantsDir().isEmpty() || !rescanning.compareAndSet(false, true)) {
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              synchronized (this) {
                if (config.tenantsDir().isEmpty()) {
                  return null; // a reload took it away meanwhile
                }
                String state = directoryState();
                if (state.equals(directoryState)) {
                  return null;
                }
                directoryState = state;
                List<ScrapeTarget> all = new ArrayList<>(fixedTargets());
                all.addAll(scanTenants());
                apply(all);
                return null;
              }
            },
            false)
        .onComplete(ar -> rescanning.set(false));
  }

  /**
   * Makes {@code all} the targets scraped, waiting until the runner has (called under the lock, so
   * that changes are applied in the order they were read).
   */
  private void apply(List<ScrapeTarget> all) throws Exception {
    runner
        .update(all)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static final System.Logger LOG = System.getLogger(Agent.class.getName());

  /**
   * The estate file's targets of {@code c}: those whose settings did not change kept as they are.
   */
  private Map<String, Fixed> fixed(EstateConfig c) {
    Map<String, Fixed> before = fixedTargets;
    Map<String, Fixed> out = new LinkedHashMap<>();
    for (TenantConfig tenant : c.tenants()) {
      for (TargetConfig target : tenant.targets()) {
        Duration interval = target.interval().orElse(c.agent().interval());
        Fixed old = before.get(target.name());
        if (old != null
            && old.tenant().equals(tenant.tenant().id())
            && old.config().equals(target)
            && old.interval().equals(interval)
            && old.target().timeout().equals(c.agent().timeout())) {
          out.put(target.name(), old);
        } else {
          out.put(
              target.name(),
              new Fixed(
                  tenant.tenant().id(),
                  target,
                  interval,
                  targets(
                          c,
                          List.of(new TenantConfig(tenant.tenant(), List.of(target))),
                          collectorContext)
                      .get(0)));
        }
      }
    }
    return out;
  }

  private List<ScrapeTarget> fixedTargets() {
    return fixedTargets.values().stream().map(Fixed::target).toList();
  }

  // reloads: where the estate file is read again, and how the last one went
  private volatile java.util.function.Supplier<EstateConfig> reloadFrom;
  private final io.tillwatch.config.ConfigReloads reloads = new io.tillwatch.config.ConfigReloads();

  /**
   * Where {@link #reload()} reads the estate: the estate file (it throws a positioned {@link
   * io.tillwatch.config.ConfigException} when the file is wrong).
   */
  public void reloadFrom(java.util.function.Supplier<EstateConfig> estate) {
    this.reloadFrom = estate;
  }

  /** Answers {@code POST /-/reload} too (Prometheus's {@code --web.enable-lifecycle}). */
  public void enableLifecycle() {
    server.enableReload(this::reload);
  }

  /**
   * Reads the estate again and applies it without stopping anything else: targets added, removed or
   * changed start and stop cleanly (unchanged ones keep their schedule), the tenants directory is
   * read again, the push buffer stays. {@code agent.listen}, {@code agent.push} and {@code
   * web_config_file} need a restart (said in the log). A file that does not load is refused: the
   * running configuration stays, and {@code tillwatch_config_last_reload_successful} is 0.
   */
  public Future<Void> reload() {
    java.util.function.Supplier<EstateConfig> from = reloadFrom;
    if (from == null) {
      return Future.failedFuture(new IllegalStateException("no estate file to reload from"));
    }
    return vertx
        .<Void>executeBlocking(
            () -> {
              synchronized (this) {
                EstateConfig next = reloads.read(from);
                EstateConfig now = config;
                List<String> restart = new ArrayList<>();
                if (!next.agent().listen().equals(now.agent().listen())) {
                  restart.add("agent.listen");
                }
                if (!next.agent().push().equals(now.agent().push())) {
                  restart.add("agent.push");
                }
                if (!next.agent().web().equals(now.agent().web())) {
                  restart.add("agent.web_config_file");
                }
                if (!restart.isEmpty()) {
                  LOG.log(
                      System.Logger.Level.WARNING,
                      String.join(", ", restart) + " changed: applied at the next restart");
                }
                EstateConfig applied =
                    new EstateConfig(
                        new io.tillwatch.agent.config.AgentConfig(
                            now.agent().listen(),
                            next.agent().interval(),
                            next.agent().timeout(),
                            now.agent().push(),
                            now.agent().web()),
                        next.tenants(),
                        next.tenantsDir());
                if (!applied.agent().timeout().equals(now.agent().timeout())) {
                  collectorContext =
                      new CollectorContext(
                          applied.agent().timeout(), blocking, java.time.Clock.systemUTC());
                }
                config = applied;
                fixedTargets = fixed(applied);
                List<ScrapeTarget> all = new ArrayList<>(fixedTargets());
                if (applied.tenantsDir().isPresent()) {
                  directoryState = directoryState();
                  all.addAll(scanTenants());
                }
                apply(all);
                return null;
              }
            },
            false)
        .onSuccess(v -> reloads.applied(""));
  }

  private static List<ScrapeTarget> targets(
      EstateConfig config, List<TenantConfig> tenants, CollectorContext context) {
    Duration timeout = config.agent().timeout();
    List<ScrapeTarget> out = new ArrayList<>();
    for (TenantConfig tenant : tenants) {
      for (TargetConfig target : tenant.targets()) {
        Duration interval = target.interval().orElse(config.agent().interval());
        out.add(
            new ScrapeTarget(
                tenant.tenant().id(),
                target.type(),
                interval,
                timeout,
                TargetTypes.create(target, context)));
      }
    }
    return out;
  }

  /** Binds {@code /metrics} and starts scraping; the future holds the bound port. */
  public Future<Integer> start() {
    return server
        .start()
        .onSuccess(
            p -> {
              port = p;
              pusher.ifPresent(Pusher::start);
              runner.start();
              // also without tenants_dir now: a reload may set it
              vertx.setPeriodic(
                  Math.min(TENANTS_DIR_EVERY.toMillis(), config.agent().interval().toMillis() / 2),
                  id -> rescan());
            });
  }

  /**
   * Every component's health: the scrape schedule, the push to the collector (when set) and the
   * push buffer on disk. A target that is down is not the agent failing: it shows as {@code
   * tillwatch_target_up 0}.
   */
  public HealthReport health() {
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("scrapes", runner);
    if (pusher.isPresent()) {
      checks.put("push", pusher.get());
      checks.put("push_buffer", bufferHealth);
    }
    return HealthReport.of(checks);
  }

  private Void flushQuietly() {
    try {
      pusher.orElseThrow().flush();
      bufferHealth.succeeded();
    } catch (RuntimeException e) {
      bufferHealth.failed("cannot write the push buffer: " + e.getMessage());
      System.getLogger(Agent.class.getName())
          .log(System.Logger.Level.ERROR, "cannot write the push buffer: " + e.getMessage());
    }
    return null;
  }

  /**
   * The agent's own metrics ({@code tillwatch_agent_*}) as its {@code /metrics} shows them, under
   * the tenant {@value #PLATFORM_TENANT} and with {@code instance} (its /metrics address), as a
   * Prometheus scraping it would label them.
   */
  private List<Sample> ownSamples(PrometheusRegistry registry) {
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> own = new ArrayList<>();
    for (var m : registry.scrape()) {
      if (m.getMetadata().getPrometheusName().startsWith("tillwatch_agent_")) {
        own.add(m);
      }
    }
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    try {
      io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
          .write(text, new io.prometheus.metrics.model.snapshots.MetricSnapshots(own));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("writing to memory", e);
    }
    Labels extra =
        Labels.of(
            "tenant", PLATFORM_TENANT, "instance", config.agent().listen().host() + ":" + port);
    List<Sample> out = new ArrayList<>();
    for (ParsedSample p :
        ExpositionParser.parse(text.toString(java.nio.charset.StandardCharsets.UTF_8))) {
      Sample s = ownConverter.of(p);
      if (s != null) {
        out.add(s.withLabels(extra));
      }
    }
    return out;
  }

  /** The tenant of what belongs to no tenant: the agent's and the collector's own metrics. */
  public static final String PLATFORM_TENANT = io.tillwatch.model.Tenant.PLATFORM;

  private final ExpositionSamples ownConverter = new ExpositionSamples("The agent's own metric.");

  /** The pusher, when {@code agent.push} is set. */
  public Optional<Pusher> pusher() {
    return pusher;
  }

  /** The port {@code /metrics} is served on, once started. */
  public int port() {
    return port;
  }

  /** {@code http://host:port/metrics}, once started. */
  public String metricsUrl() {
    return "http://" + config.agent().listen().host() + ":" + port + "/metrics";
  }

  /** The latest samples of every target (what {@code /metrics} shows of them). */
  public List<Sample> samples() {
    return runner.samples();
  }

  /**
   * Stops scheduling, lets in-flight scrapes end until the scrape timeout (then aborts them),
   * closes the server and Vert.x.
   */
  public Future<Void> stop() {
    return runner
        .stop(config.agent().timeout())
        .eventually(
            () -> {
              if (pusher.isEmpty()) {
                return io.vertx.core.Future.succeededFuture();
              }
              return vertx.executeBlocking(
                  () -> {
                    pusher.get().close(); // what was scraped last goes to the buffer
                    return null;
                  });
            })
        .eventually(server::stop)
        .eventually(
            () -> {
              blocking.shutdownNow();
              meters.close();
              return vertx.close();
            });
  }
}
