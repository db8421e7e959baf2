package io.tillwatch.collector;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tillwatch.alerting.AlertDelivery;
import io.tillwatch.alerting.Alertmanagers;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.ingest.DeltaAccumulator;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.collector.ingest.SampleBatch;
import io.tillwatch.collector.ingest.WriteQueue;
import io.tillwatch.collector.query.QueryApi;
import io.tillwatch.collector.query.TieredSource;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.model.Secret;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The backend: opens storage (migrating it), fills the head from it, then serves OTLP/HTTP ingest
 * at {@code /v1/metrics}, its own metrics at {@code /metrics} and health at {@code /-/healthy} and
 * {@code /-/ready}. Upkeep (partitions, retention, head trimming) runs on timers.
 */
public final class Backend implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Backend.class.getName());

  /** The largest request body accepted, also once unzipped. */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private final Vertx vertx;
  private final PgStore store;
  private final Head head;
  private final WriteQueue queue;
  private final PrometheusMeterRegistry meters;
  private final HttpServer server;
  private final int port;
  private final long headLoadedSamples;
  private final java.util.concurrent.ExecutorService headWriter;

  private Backend(
      Vertx vertx,
      PgStore store,
      Head head,
      WriteQueue queue,
      PrometheusMeterRegistry meters,
      HttpServer server,
      long headLoadedSamples,
      java.util.concurrent.ExecutorService headWriter) {
    this.headWriter = headWriter;
    this.vertx = vertx;
    this.store = store;
    this.head = head;
    this.queue = queue;
    this.meters = meters;
    this.server = server;
    this.port = server.actualPort();
    this.headLoadedSamples = headLoadedSamples;
  }

  /**
   * Starts a collector on storage at {@code jdbcUrl}.
   *
   * @throws SQLException when storage cannot be reached or migrated
   */
  public static Backend start(CollectorConfig config, String jdbcUrl, String user, Secret password)
      throws SQLException {
    return start(config, jdbcUrl, user, password, List.of(), java.util.Map.of());
  }

  /**
   * Starts a collector that also evaluates {@code ruleGroups} over the head (default interval 1m)
   * and serves the Prometheus HTTP API.
   *
   * @throws SQLException when storage cannot be reached or migrated
   */
  public static Backend start(
      CollectorConfig config,
      String jdbcUrl,
      String user,
      Secret password,
      List<RuleGroup> ruleGroups,
      java.util.Map<String, io.tillwatch.model.Tenant> tenants)
      throws SQLException {
    PgStore store = PgStore.open(jdbcUrl, user, password, config.storage().retention());
    Head head = new Head(config.head());
    long now = System.currentTimeMillis();
    long loaded = store.scan(Instant.ofEpochMilli(now).minus(config.head()), head::append);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // committed batches go to the head on a thread of its own, in commit order, so that the
    // writer goes on with the next transaction meanwhile
    java.util.concurrent.ExecutorService headWriter =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("tillwatch-head").daemon().factory());
    meters.gauge("tillwatch.collector.head.series", head, h -> h.series().size());
    meters.gauge("tillwatch.collector.head.samples", head, Head::samples);
    meters.gauge("tillwatch.collector.head.bytes", head, Head::bytes);
    WriteQueue queue =
        new WriteQueue(
                store,
                new DeltaAccumulator(),
                config.maxQueuedSamples(),
                (batch, ids) -> headWriter.execute(() -> append(head, batch, ids)),
                meters)
            .start();
    Vertx vertx = Vertx.vertx();
    Access access = new Access(config.tokens());
    IngestHandler ingest = new IngestHandler(vertx, access, queue, MAX_BODY_BYTES, meters);
    RuleEngine rules =
        new RuleEngine(
            ruleGroups,
            config.evaluationInterval(),
            TieredSource.of(head, store, null),
            batch -> queue.offer(batch) != null,
            meters,
            tenants);
    QueryApi api = new QueryApi(vertx, access, head, rules, store);
    HttpServer server;
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(r -> route(r, ingest, api, meters))
              .listen(config.listen().port(), config.listen().host())
              .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      store.close();
      throw new IllegalStateException(
          "cannot listen on " + config.listen().host() + ":" + config.listen().port() + ": " + e,
          e);
    }
    Backend c = new Backend(vertx, store, head, queue, meters, server, loaded, headWriter);
    c.rules = rules;
    // alerts go on where they were: firing ones keep firing, pending ones keep their start
    for (RuleEngine.GroupState g : rules.groups()) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          g.alerts(a).restore(store.loadAlerts(g.group().name(), a.name()));
        }
      }
    }
    AlertingConfig alerting = config.alerting();
    c.alertmanagers =
        alerting.alertmanagers().isEmpty()
            ? null
            : new Alertmanagers(alerting.alertmanagers(), alerting.queueCapacity(), meters);
    c.delivery =
        new AlertDelivery(
            alerting.resendDelay(),
            alerting.externalUrl(),
            alerting.dashboardUrl(),
            alerting.runbookBaseUrl());
    for (RuleEngine.GroupState g : rules.groups()) {
      vertx.setPeriodic(
          g.interval().toMillis(),
          id ->
              vertx.executeBlocking(
                  () -> {
                    c.evaluate(g, System.currentTimeMillis());
                    return null;
                  },
                  false));
    }
    vertx.setPeriodic(
        Duration.ofMinutes(1).toMillis(), id -> head.trim(System.currentTimeMillis()));
    vertx.setPeriodic(
        Duration.ofHours(1).toMillis(),
        id ->
            vertx.executeBlocking(
                () -> {
                  try {
                    return store.maintain();
                  } catch (SQLException e) {
                    LOG.log(
                        System.Logger.Level.WARNING, "storage upkeep failed: " + e.getMessage());
                    return 0;
                  }
                }));
    return c;
  }

  private static void append(Head head, SampleBatch batch, long[] ids) {
    for (int i = 0; i < batch.size(); i++) {
      head.append(ids[i], batch.series(i), batch.time(i), batch.value(i));
    }
  }

  private static void route(
      HttpServerRequest r, IngestHandler ingest, QueryApi api, PrometheusMeterRegistry meters) {
    if (QueryApi.serves(r.path())) {
      api.handle(r);
      return;
    }
    switch (r.path()) {
      case "/v1/metrics" -> {
        if (r.method().name().equals("POST")) {
          ingest.handle(r);
        } else {
          r.response().setStatusCode(405).putHeader("Allow", "POST").end();
        }
      }
      case "/metrics" ->
          r.response()
              .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
              .end(meters.scrape());
      case "/-/healthy", "/-/ready" -> r.response().end("OK\n");
      default -> r.response().setStatusCode(404).end("not found: " + r.path() + "\n");
    }
  }

  private RuleEngine rules;
  private Alertmanagers alertmanagers; // null: no Alertmanager configured
  private AlertDelivery delivery;

  /**
   * One evaluation of a group: rules, then the alert state saved (a restart takes it up) and the
   * alerts due sent to every Alertmanager. Blocking.
   */
  public void evaluate(RuleEngine.GroupState g, long time) {
    rules.evaluate(g, time);
    synchronized (g) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          AlertState state = g.alerts(a);
          if (alertmanagers != null) {
            alertmanagers.send(delivery.due(state, time, g.interval()));
          }
          try {
            store.saveAlerts(g.group().name(), a.name(), state.save());
          } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot save alert state: " + e.getMessage());
          }
        }
      }
    }
  }

  /** The rule engine (groups, alert state). */
  public RuleEngine rules() {
    return rules;
  }

  /** The port ingest and API listen on. */
  public int port() {
    return port;
  }

  public Head head() {
    return head;
  }

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
    try {
      server.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the HTTP server", e);
    }
    try {
      queue.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    headWriter.shutdown();
    if (alertmanagers != null) {
      alertmanagers.close();
    }
    store.close();
    meters.close();
    vertx.close();
  }
}
