package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.collector.ingest.IngestHandler;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request sent again under the same {@code X-Tillwatch-Batch-Id} (its answer was lost, or the
 * sender gave up waiting) is stored once: whether the first is committed, still being written, or
 * committed before a restart of the collector. Delta sums count once when a write fails and the
 * request comes again.
 */
class ExactlyOnceIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static HttpResponse<byte[]> post(int port, ExportMetricsServiceRequest r, String id) {
    try {
      return Otlp.HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/x-protobuf")
              .header("Authorization", "Bearer " + PLATFORM)
              .header(IngestHandler.BATCH_ID, id)
              .POST(HttpRequest.BodyPublishers.ofByteArray(r.toByteArray()))
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(String db, String sql) {
    return Long.parseLong(PG.server().queryString(db, sql));
  }

  private static long stored(String db, String metric) throws Exception {
    return count(
        db,
        "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = '"
            + metric
            + "'");
  }

  @Test
  void aRequestSentAgainIsStoredOnceAlsoAcrossARestart() throws Exception {
    String db = "once";
    PG.createDatabase(db);
    long now = System.currentTimeMillis();
    ExportMetricsServiceRequest r = Otlp.gauge("acme", "orders_open", "a", now, 10);
    try (Backend c =
        TestCollectors.start(TestCollectors.config(PG.server(), db, 10_000), List.of(), Map.of())) {
      assertThat(post(c.port(), r, "agent-1-7").statusCode()).isEqualTo(200);
      assertThat(post(c.port(), r, "agent-1-7").statusCode()).isEqualTo(200); // acknowledged again
      assertThat(stored(db, "orders_open")).isEqualTo(10);
      // while the first is still being written: both answered when it commits, stored once
      Connection lock = PG.server().connect(db);
      lock.setAutoCommit(false);
      lock.createStatement().execute("LOCK TABLE samples IN SHARE ROW EXCLUSIVE MODE");
      ExportMetricsServiceRequest later = Otlp.gauge("acme", "orders_open", "b", now, 10);
      CompletableFuture<HttpResponse<byte[]>> first =
          CompletableFuture.supplyAsync(() -> post(c.port(), later, "agent-1-8"));
      await().until(() -> c.queuedSamples() == 10);
      CompletableFuture<HttpResponse<byte[]>> again =
          CompletableFuture.supplyAsync(() -> post(c.port(), later, "agent-1-8"));
      Thread.sleep(300); // the retry has arrived and waits on the first
      assertThat(c.queuedSamples()).isEqualTo(10);
      lock.rollback();
      lock.close();
      assertThat(first.get().statusCode()).isEqualTo(200);
      assertThat(again.get().statusCode()).isEqualTo(200);
      assertThat(stored(db, "orders_open")).isEqualTo(20);
      assertThat(c.meters().get("tillwatch.collector.ingest.duplicate.batches").counter().count())
          .isEqualTo(2);
    }
    // a new collector on the same database still knows both
    try (Backend c =
        TestCollectors.start(TestCollectors.config(PG.server(), db, 10_000), List.of(), Map.of())) {
      assertThat(post(c.port(), r, "agent-1-7").statusCode()).isEqualTo(200);
      assertThat(stored(db, "orders_open")).isEqualTo(20);
      // a new id is new data
      assertThat(
              post(c.port(), Otlp.gauge("acme", "orders_open", "c", now, 10), "agent-1-9")
                  .statusCode())
          .isEqualTo(200);
      assertThat(stored(db, "orders_open")).isEqualTo(30);
    }
    assertThat(count(db, "SELECT count(*) FROM ingest_batches")).isEqualTo(3);
  }

  @Test
  void aDeltaSumCountsOnceWhenItsWriteFailedAndItComesAgain() throws Exception {
    String db = "deltas";
    PG.createDatabase(db);
    long now = System.currentTimeMillis();
    try (Backend c =
        TestCollectors.start(TestCollectors.config(PG.server(), db, 10_000), List.of(), Map.of())) {
      assertThat(post(c.port(), delta(now - 2000, 5, 1), "d-1").statusCode()).isEqualTo(200);
      try (Connection s = PG.server().connect(db)) {
        // storage refuses the next write (its other sample), after the delta was added up
        s.createStatement()
            .execute("ALTER TABLE samples ADD CONSTRAINT no_666 CHECK (value <> 666)");
      }
      assertThat(post(c.port(), delta(now - 1000, 3, 666), "d-2").statusCode()).isEqualTo(400);
      try (Connection s = PG.server().connect(db)) {
        s.createStatement().execute("ALTER TABLE samples DROP CONSTRAINT no_666");
      }
      assertThat(post(c.port(), delta(now - 1000, 3, 1), "d-2").statusCode()).isEqualTo(200);
      // 5 + 3, not 5 + 3 + 3
      assertThat(
              count(
                  db,
                  "SELECT max(x.value)::bigint FROM samples x JOIN series s ON s.id = x.series_id"
                      + " WHERE s.metric = 'orders_total'"))
          .isEqualTo(8);
    }
  }

  /** A delta sum of {@code orders} and a gauge {@code other} in one request. */
  private static ExportMetricsServiceRequest delta(long time, double orders, double other) {
    Gauge.Builder gauge =
        Gauge.newBuilder()
            .addDataPoints(
                NumberDataPoint.newBuilder().setTimeUnixNano(time * 1_000_000L).setAsDouble(other));
    ExportMetricsServiceRequest.Builder b =
        Otlp.request(
            "acme", Metric.newBuilder().setName("orders").setSum(Otlp.deltaSum(time, orders)))
            .toBuilder();
    b.getResourceMetricsBuilder(0)
        .getScopeMetricsBuilder(0)
        .addMetrics(Metric.newBuilder().setName("other").setGauge(gauge));
    return b.build();
  }
}
