package io.tillwatch.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.collector.query.QueryApi;
import io.tillwatch.health.HealthReport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
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
  private final PrometheusMeterRegistry meters;
  private final Supplier<HealthReport> health;

  Routes(
      IngestHandler ingest,
      QueryApi api,
      PrometheusMeterRegistry meters,
      Supplier<HealthReport> health) {
    this.ingest = ingest;
    this.api = api;
    this.meters = meters;
    this.health = health;
  }

  /** Every route of the collector's HTTP surface. */
  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post("/v1/metrics").handler(ctx -> ingest.handle(ctx.request()));
    router
        .route("/v1/metrics")
        .handler(ctx -> ctx.response().setStatusCode(405).putHeader("Allow", "POST").end());
    router.route("/api/v1/*").handler(ctx -> api.handle(ctx.request()));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(meters.scrape()));
    router.get("/-/healthy").handler(ctx -> health(ctx.request()));
    router.get("/-/ready").handler(ctx -> health(ctx.request()));
    router
        .route()
        .handler(
            ctx ->
                ctx.response().setStatusCode(404).end("not found: " + ctx.request().path() + "\n"));
    return router;
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
