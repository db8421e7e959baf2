package io.tillwatch.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.collector.query.QueryApi;
import io.tillwatch.health.HealthReport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/**
 * The collector's HTTP surface: OTLP/HTTP ingest, the Prometheus API, its own metrics and health.
 * {@code /-/healthy} and {@code /-/ready} (Prometheus's names) answer every component's health as
 * JSON, 200 when all are ok and 503 naming the failing ones otherwise.
 */
final class Routes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final IngestHandler ingest;
  private final QueryApi api;
  private final io.tillwatch.collector.query.EventsApi events;
  private final PrometheusMeterRegistry meters;
  private final Supplier<HealthReport> health;

  private final Access access;
  private final io.tillwatch.web.WebConfig web;
  private final Backend backend;

  Routes(
      IngestHandler ingest,
      QueryApi api,
      io.tillwatch.collector.query.EventsApi events,
      PrometheusMeterRegistry meters,
      Supplier<HealthReport> health,
      Access access,
      io.tillwatch.web.WebConfig web,
      Backend backend) {
    this.backend = backend;
    this.ingest = ingest;
    this.api = api;
    this.events = events;
    this.meters = meters;
    this.health = health;
    this.access = access;
    this.web = web;
  }

  /**
   * {@code /metrics} shows every tenant's figures: basic auth when the web configuration has users,
   * else a bearer token that reads every tenant ({@code "*"}). 401 otherwise.
   */
  private boolean mayScrape(HttpServerRequest r) {
    if (web.basicAuth()) {
      return io.tillwatch.web.Listeners.authorized(r, web);
    }
    var grant = access.authorize(r.getHeader("Authorization"));
    if (grant.isPresent() && grant.get().allowsAll()) {
      return true;
    }
    r.response().putHeader("WWW-Authenticate", "Bearer");
    error(
        r,
        grant.isPresent() ? 403 : 401,
        "unauthorized",
        "/metrics shows every tenant: a bearer token granted \"*\" (or basic auth) reads it");
    return false;
  }

  /** Every route of the collector's HTTP surface. */
  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post("/v1/metrics").handler(ctx -> ingest.handle(ctx.request()));
    router.route("/v1/metrics").handler(ctx -> notAllowed(ctx.request(), "POST"));
    router.route("/api/v1/events").handler(ctx -> events.handle(ctx.request()));
    router.route("/api/v1/*").handler(ctx -> api.handle(ctx.request()));
    router
        .get("/metrics")
        .handler(
            ctx -> {
              if (mayScrape(ctx.request())) {
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(meters.scrape());
              }
            });
    router.post("/-/reload").handler(ctx -> reload(ctx.request()));
    router.get("/-/healthy").handler(ctx -> health(ctx.request()));
    router.get("/-/ready").handler(ctx -> health(ctx.request()));
    for (String path : List.of("/metrics", "/-/healthy", "/-/ready")) {
      router.route(path).handler(ctx -> notAllowed(ctx.request(), "GET, HEAD"));
    }
    // whatever else, with or without a body: answered at once, in Prometheus's error shape
    router
        .route()
        .handler(
            ctx -> error(ctx.request(), 404, "not_found", "unknown path " + ctx.request().path()));
    return router;
  }

  private static void notAllowed(HttpServerRequest r, String allow) {
    r.response().putHeader("Allow", allow);
    error(r, 405, "method_not_allowed", r.method() + " is not allowed on " + r.path());
  }

  /** An error answer as Prometheus's API gives one, sent without reading what the body holds. */
  static void error(HttpServerRequest r, int status, String type, String message) {
    ObjectNode body =
        JSON.createObjectNode().put("status", "error").put("errorType", type).put("error", message);
    r.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  /**
   * {@code POST /-/reload}, as Prometheus answers it: 403 unless {@code --web.enable-lifecycle},
   * else 200 once applied or 500 naming what is wrong. Needs a bearer token granted every tenant.
   */
  private void reload(HttpServerRequest r) {
    if (!backend.lifecycleEnabled()) {
      error(r, 403, "forbidden", "lifecycle APIs are not enabled (--web.enable-lifecycle)");
      return;
    }
    var grant = access.authorize(r.getHeader("Authorization"));
    if (grant.isEmpty() || !grant.get().allowsAll()) {
      r.response().putHeader("WWW-Authenticate", "Bearer");
      error(
          r,
          grant.isPresent() ? 403 : 401,
          "unauthorized",
          "a reload needs a bearer token granted \"*\"");
      return;
    }
    backend
        .reload()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                r.response().setStatusCode(200).end();
              } else {
                error(r, 500, "reload", "failed to reload config: " + ar.cause().getMessage());
              }
            });
  }

  private void health(HttpServerRequest r) {
    HealthReport report = health.get();
    String body;
    try {
      body = JSON.writeValueAsString(report.asTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a health report is plain strings and maps", e);
    }
    r.response()
        .setStatusCode(report.ok() ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .end(body + "\n");
  }
}
