package io.tillwatch.agent.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tillwatch.health.HealthReport;
import io.tillwatch.model.HostPort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Serves {@code /metrics} (Prometheus text, or OpenMetrics when the scraper asks for it), {@code
 * /health} and a short index at {@code /}.
 */
public final class MetricsServer {
  private final Vertx vertx;
  private final HostPort listen;
  private final PrometheusRegistry registry;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Supplier<HealthReport> health;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private HttpServer server;

  private final io.tillwatch.web.WebConfig web;

  /**
   * @param web TLS and basic auth of every path
   */
  public MetricsServer(
      Vertx vertx,
      HostPort listen,
      PrometheusRegistry registry,
      Supplier<HealthReport> health,
      io.tillwatch.web.WebConfig web) {
    this.vertx = vertx;
    this.listen = listen;
    this.registry = registry;
    this.health = health;
    this.web = web;
  }

  private volatile Supplier<Future<Void>> reload;

  /** Answers {@code POST /-/reload} with {@code reload} (Prometheus's --web.enable-lifecycle). */
  public void enableReload(Supplier<Future<Void>> reload) {
    this.reload = reload;
  }

  /** Binds and serves; the future holds the bound port. */
  public Future<Integer> start() {
    // HTTP/1.1 only: no h2c upgrade (scrapers speak HTTP/1.1; an upgrade of a routed request
    // could be left without its HTTP/2 response)
    server =
        io.tillwatch.web.Listeners.server(
            vertx, web, io.tillwatch.web.Listeners.Limits.DEFAULT, router());
    return server.listen(listen.port(), listen.host()).map(HttpServer::actualPort);
  }

  /** Stops serving. */
  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router router() {
    Router router = Router.router(vertx);
    // basic auth, when configured, on every path, as Prometheus's exporters do
    router
        .route()
        .handler(
            ctx -> {
              if (io.tillwatch.web.Listeners.authorized(ctx.request(), web)) {
                ctx.next();
              }
            });
    router.route("/metrics").handler(ctx -> metrics(ctx.request()));
    router
        .post("/-/reload")
        .handler(
            ctx -> {
              if (reload == null) {
                error(
                    ctx.request(),
                    403,
                    "forbidden",
                    "lifecycle APIs are not enabled (--web.enable-lifecycle)");
                return;
              }
              reload
                  .get()
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          ctx.response().setStatusCode(200).end();
                        } else {
                          error(
                              ctx.request(),
                              500,
                              "reload",
                              "failed to reload config: " + ar.cause().getMessage());
                        }
                      });
            });
    router.get("/health").handler(ctx -> health(ctx.request()));
    router
        .get("/")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end(
                        "tillwatch agent\n  /metrics  Prometheus / OpenMetrics exposition\n"
                            + "  /health   health\n"));
    router.route("/health").handler(ctx -> notAllowed(ctx.request()));
    // whatever else, with or without a body: answered at once, in Prometheus's error shape
    router
        .route()
        .handler(
            ctx -> error(ctx.request(), 404, "not_found", "unknown path " + ctx.request().path()));
    return router;
  }

  /** Every component's health as JSON: 200 when all are ok, else 503 naming the failing ones. */
  private void health(HttpServerRequest req) {
    HealthReport report = health.get();
    String body;
    try {
      body = JSON.writeValueAsString(report.asTree());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a health report is plain strings and maps", e);
    }
    req.response()
        .setStatusCode(report.ok() ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .end(body + "\n");
  }

  private static void notAllowed(HttpServerRequest req) {
    req.response().putHeader("Allow", "GET, HEAD");
    error(req, 405, "method_not_allowed", req.method() + " is not allowed on " + req.path());
  }

  private static void error(HttpServerRequest req, int status, String type, String message) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            JSON.createObjectNode()
                .put("status", "error")
                .put("errorType", type)
                .put("error", message)
                .toString());
  }

  private void metrics(HttpServerRequest req) {
    if (!req.method().name().equals("GET") && !req.method().name().equals("HEAD")) {
      notAllowed(req);
      return;
    }
    ExpositionFormatWriter writer = formats.findWriter(req.getHeader("Accept"));
    MetricSnapshots snapshots = registry.scrape();
    ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    try {
      writer.write(body, snapshots);
    } catch (IOException e) {
      req.response().setStatusCode(500).end("cannot write metrics: " + e.getMessage() + "\n");
      return;
    }
    req.response()
        .putHeader("Content-Type", writer.getContentType())
        .end(Buffer.buffer(body.toByteArray()));
  }
}
