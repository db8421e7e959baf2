package io.tillwatch.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.collector.query.QueryApi;
import io.tillwatch.health.HealthReport;
import io.vertx.core.http.HttpServerRequest;
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

  void handle(HttpServerRequest r) {
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
      case "/-/healthy", "/-/ready" -> health(r);
      default -> r.response().setStatusCode(404).end("not found: " + r.path() + "\n");
    }
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
