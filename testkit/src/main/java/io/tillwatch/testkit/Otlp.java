package io.tillwatch.testkit;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.GZIPOutputStream;

/** OTLP requests for tests, built from the protocol's own classes, and a plain HTTP sender. */
public final class Otlp {
  public static final HttpClient HTTP = HttpClient.newHttpClient();

  private Otlp() {}

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  /** {@code points} gauge samples of one series of {@code tenant}, one a second from {@code t0}. */
  public static ExportMetricsServiceRequest gauge(
      String tenant, String name, String series, long t0Millis, int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(attr("series", series))
              .setTimeUnixNano((t0Millis + i * 1000L) * 1_000_000L)
              .setAsDouble(i * 0.5));
    }
    return request(tenant, Metric.newBuilder().setName(name).setGauge(g));
  }

  /**
   * One sample of a cumulative counter {@code name} of {@code tenant} with a {@code code} attribute
   * (stored as {@code name_total{code}}).
   */
  public static ExportMetricsServiceRequest counter(
      String tenant, String name, String code, long timeMillis, double total) {
    return request(
        tenant,
        Metric.newBuilder()
            .setName(name)
            .setSum(
                io.opentelemetry.proto.metrics.v1.Sum.newBuilder()
                    .setIsMonotonic(true)
                    .setAggregationTemporality(
                        io.opentelemetry.proto.metrics.v1.AggregationTemporality
                            .AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .addAttributes(attr("code", code))
                            .setTimeUnixNano(timeMillis * 1_000_000L)
                            .setAsDouble(total))));
  }

  /**
   * Two hours of request counters a minute apart ending at {@code end}: tenant {@code busy} 100
   * good a minute and, in the last hour, 50 failing ({@code code="500"}); tenant {@code quiet} 0.3
   * a minute, all failing in the last hour. A known outage for SLO tests.
   */
  public static void postOutage(int port, String token, String busy, String quiet, long end) {
    long start = end - 120 * 60_000L;
    for (int k = 0; k <= 120; k++) {
      long t = start + k * 60_000L;
      int failing = Math.max(0, k - 60);
      for (ExportMetricsServiceRequest r :
          java.util.List.of(
              counter(busy, "requests", "200", t, 100.0 * k),
              counter(busy, "requests", "500", t, 50.0 * failing),
              counter(quiet, "requests", "200", t, 0.3 * Math.min(k, 60)),
              counter(quiet, "requests", "500", t, 0.3 * failing))) {
        int status = post(port, token, r).statusCode();
        if (status != 200) {
          throw new IllegalStateException("ingest answered " + status);
        }
      }
    }
  }

  /**
   * Traefik-shaped shop traffic of {@code tenant} a minute apart over {@code minutes} ending at
   * {@code end}: {@code perMinute} requests a minute to service {@code odoo-<tenant>@kubernetes}
   * ({@code traefik_service_requests_total{service, code, method, protocol}}), of which {@code
   * failing.apply(minute)} a minute answer 502 — sent in requests of a few hundred points.
   */
  public static void postShopTraffic(
      int port,
      String token,
      String tenant,
      long end,
      int minutes,
      double perMinute,
      java.util.function.IntToDoubleFunction failing) {
    long start = end - minutes * 60_000L;
    double ok = 0;
    double bad = 0;
    double[] okTotals = new double[minutes + 1];
    double[] badTotals = new double[minutes + 1];
    for (int k = 0; k <= minutes; k++) {
      okTotals[k] = ok;
      badTotals[k] = bad;
      double f = failing.applyAsDouble(k + 1);
      ok += perMinute - f;
      bad += f;
    }
    for (int from = 0; from <= minutes; from += 300) {
      int to = Math.min(minutes, from + 299);
      for (String code : java.util.List.of("200", "502")) {
        io.opentelemetry.proto.metrics.v1.Sum.Builder sum =
            io.opentelemetry.proto.metrics.v1.Sum.newBuilder()
                .setIsMonotonic(true)
                .setAggregationTemporality(
                    io.opentelemetry.proto.metrics.v1.AggregationTemporality
                        .AGGREGATION_TEMPORALITY_CUMULATIVE);
        for (int k = from; k <= to; k++) {
          sum.addDataPoints(
              NumberDataPoint.newBuilder()
                  .addAttributes(attr("service", "odoo-" + tenant + "@kubernetes"))
                  .addAttributes(attr("code", code))
                  .addAttributes(attr("method", "POST"))
                  .addAttributes(attr("protocol", "http"))
                  .setTimeUnixNano((start + k * 60_000L) * 1_000_000L)
                  .setAsDouble(code.equals("200") ? okTotals[k] : badTotals[k]));
        }
        int status =
            post(
                    port,
                    token,
                    request(
                        tenant,
                        Metric.newBuilder().setName("traefik_service_requests").setSum(sum)))
                .statusCode();
        if (status != 200) {
          throw new IllegalStateException("ingest answered " + status);
        }
      }
    }
  }

  /** A monotonic sum of delta temporality with one point: the increase since the last one. */
  public static io.opentelemetry.proto.metrics.v1.Sum.Builder deltaSum(
      long timeMillis, double increase) {
    return io.opentelemetry.proto.metrics.v1.Sum.newBuilder()
        .setIsMonotonic(true)
        .setAggregationTemporality(
            io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(
            NumberDataPoint.newBuilder()
                .setTimeUnixNano(timeMillis * 1_000_000L)
                .setAsDouble(increase));
  }

  /** One metric of {@code tenant} (a resource attribute) in a request of its own. */
  /** One tenant's request of these metrics. */
  public static ExportMetricsServiceRequest request(String tenant, Metric.Builder... metrics) {
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
    for (Metric.Builder m : metrics) {
      scope.addMetrics(m);
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("tenant", tenant)))
                .addScopeMetrics(scope))
        .build();
  }

  public static HttpResponse<byte[]> post(
      int port, String token, String contentType, byte[] body, boolean gzip) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
              .timeout(java.time.Duration.ofSeconds(60))
              .header("Content-Type", contentType)
              .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(body) : body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (gzip) {
        b.header("Content-Encoding", "gzip");
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse<byte[]> post(int port, String token, ExportMetricsServiceRequest r) {
    return post(port, token, "application/x-protobuf", r.toByteArray(), false);
  }

  public static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
