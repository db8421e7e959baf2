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
  private final EstateConfig config;
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

  private Agent(EstateConfig config) {
    this.config = config;
    this.vertx = Vertx.vertx();
    this.blocking =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("scrape-", 0).factory());
    PrometheusRegistry registry = new PrometheusRegistry();
    this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry, Clock.SYSTEM);
    JvmMetrics.builder().register(registry);
    List<ScrapeTarget> targets = targets(config, blocking);
    this.runner = new ScrapeRunner(vertx, targets, meters);
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

  /** An agent for this estate; starts nothing. */
  public static Agent create(EstateConfig config) {
    return new Agent(config);
  }

  private static List<ScrapeTarget> targets(EstateConfig config, ExecutorService blocking) {
    Duration timeout = config.agent().timeout();
    CollectorContext context = new CollectorContext(timeout, blocking, java.time.Clock.systemUTC());
    List<ScrapeTarget> out = new ArrayList<>();
    for (TenantConfig tenant : config.tenants()) {
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
