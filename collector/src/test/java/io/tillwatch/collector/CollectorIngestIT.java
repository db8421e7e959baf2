package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static io.tillwatch.collector.TestCollectors.count;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CollectorIngestIT {
  /** A whole minute two days ago: within the default window of samples accepted. */
  private static final long T0 =
      (System.currentTimeMillis() - java.time.Duration.ofDays(2).toMillis()) / 60_000 * 60_000;

  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static PostgresServer pg() {
    return PG.server();
  }

  /** The message of a google.rpc.Status body. */
  private static String statusMessage(byte[] body) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(body);
    String message = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == 2) {
        message = in.readString();
      } else {
        in.skipField(tag);
      }
    }
    return message;
  }

  @Test
  void protobufSamplesAreStoredExactlyAndAcknowledgedAfterCommit() throws Exception {
    String db = "exact";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db)) {
      HttpResponse<byte[]> r =
          Otlp.post(c.port(), PLATFORM, Otlp.gauge("acme", "shop.orders.open", "a", t0, 100));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(ExportMetricsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
      // answered 200: already committed, no waiting
      try (Connection conn = pg().connect(db);
          Statement s = conn.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT s.metric, s.tenant, s.labels::text,"
                      + " (extract(epoch from x.time) * 1000)::bigint, x.value"
                      + " FROM samples x JOIN series s ON s.id = x.series_id ORDER BY x.time")) {
        int i = 0;
        while (rs.next()) {
          assertThat(rs.getString(1)).isEqualTo("shop_orders_open");
          assertThat(rs.getString(2)).isEqualTo("acme");
          assertThat(rs.getString(3)).isEqualTo("{\"series\": \"a\", \"tenant\": \"acme\"}");
          assertThat(rs.getLong(4)).isEqualTo(t0 + i * 1000L);
          assertThat(rs.getDouble(5)).isEqualTo(i * 0.5);
          i++;
        }
        assertThat(i).isEqualTo(100);
      }
      org.awaitility.Awaitility.await().until(() -> c.head().samples() == 100);
    }
  }

  @Test
  void jsonAndGzipAreAccepted() throws Exception {
    String db = "json";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db)) {
      byte[] json =
          JsonFormat.printer()
              .print(Otlp.gauge("acme", "cart_value", "j", t0, 10))
              .getBytes(StandardCharsets.UTF_8);
      HttpResponse<byte[]> r = Otlp.post(c.port(), ACME, "application/json", json, true);
      assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\n}");
      HttpResponse<byte[]> p =
          Otlp.post(
              c.port(),
              ACME,
              "application/x-protobuf",
              Otlp.gauge("acme", "cart_value", "p", t0, 7).toByteArray(),
              true);
      assertThat(p.statusCode()).isEqualTo(200);
      assertThat(count(pg(), db, "SELECT count(*) FROM samples")).isEqualTo(17);
    }
  }

  @Test
  void unknownTokensAreRefusedAndATokenWritesOnlyItsTenants() throws Exception {
    String db = "auth";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db)) {
      ExportMetricsServiceRequest globex = Otlp.gauge("globex", "m", "a", t0, 5);
      assertThat(Otlp.post(c.port(), null, globex).statusCode()).isEqualTo(401);
      assertThat(Otlp.post(c.port(), "not-a-token", globex).statusCode()).isEqualTo(401);
      HttpResponse<byte[]> foreign = Otlp.post(c.port(), ACME, globex);
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(statusMessage(foreign.body())).contains("tenant 'globex'");
      // a request mixing its own and a foreign tenant: nothing of it is stored
      ExportMetricsServiceRequest mixed =
          Otlp.gauge("acme", "m", "a", t0, 5).toBuilder()
              .addAllResourceMetrics(globex.getResourceMetricsList())
              .build();
      assertThat(Otlp.post(c.port(), ACME, mixed).statusCode()).isEqualTo(403);
      assertThat(count(pg(), db, "SELECT count(*) FROM samples")).isZero();
      assertThat(Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "a", t0, 5)).statusCode())
          .isEqualTo(200);
      assertThat(Otlp.post(c.port(), PLATFORM, globex).statusCode()).isEqualTo(200);
      assertThat(count(pg(), db, "SELECT count(*) FROM samples")).isEqualTo(10);
    }
  }

  @Test
  void malformedBodiesGet400WithAReasonWhileGoodTrafficFlows() throws Exception {
    String db = "malformed";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db)) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger good = new AtomicInteger();
      AtomicInteger bad = new AtomicInteger();
      Thread sender =
          Thread.ofVirtual()
              .start(
                  () -> {
                    int i = 0;
                    while (!stop.get() || i < 20) {
                      int status =
                          Otlp.post(
                                  c.port(),
                                  ACME,
                                  Otlp.gauge("acme", "good", "s" + i, t0 + i * 100_000L, 10))
                              .statusCode();
                      (status == 200 ? good : bad).incrementAndGet();
                      i++;
                    }
                  });
      List<String> reasons = new ArrayList<>();
      byte[] garbage = {0x0a, 0x7f, 0x01, 0x02, (byte) 0xff};
      for (int round = 0; round < 5; round++) {
        HttpResponse<byte[]> r1 =
            Otlp.post(c.port(), ACME, "application/x-protobuf", garbage, false);
        assertThat(r1.statusCode()).isEqualTo(400);
        reasons.add(statusMessage(r1.body()));
        HttpResponse<byte[]> r2 =
            Otlp.post(
                c.port(),
                ACME,
                "application/json",
                "{\"resourceMetrics\": [ {".getBytes(StandardCharsets.UTF_8),
                false);
        assertThat(r2.statusCode()).isEqualTo(400);
        reasons.add(new String(r2.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> r3 =
            Otlp.post(c.port(), ACME, "application/x-protobuf", garbage, false);
        assertThat(r3.statusCode()).isEqualTo(400);
        ExportMetricsServiceRequest noTenant =
            Otlp.gauge("acme", "m", "a", t0, 1).toBuilder()
                .setResourceMetrics(
                    0,
                    Otlp.gauge("acme", "m", "a", t0, 1).getResourceMetrics(0).toBuilder()
                        .setResource(Resource.getDefaultInstance()))
                .build();
        HttpResponse<byte[]> r4 = Otlp.post(c.port(), ACME, noTenant);
        assertThat(r4.statusCode()).isEqualTo(400);
        reasons.add(statusMessage(r4.body()));
        HttpResponse<byte[]> r5 =
            Otlp.post(c.port(), ACME, "application/x-protobuf", garbage, false);
        assertThat(r5.statusCode()).isEqualTo(400);
        HttpResponse<byte[]> r6 = gzipLie(c.port());
        assertThat(r6.statusCode()).isEqualTo(400);
        reasons.add(statusMessage(r6.body()));
      }
      stop.set(true);
      sender.join();
      assertThat(reasons.get(0)).startsWith("not an OTLP ExportMetricsServiceRequest");
      assertThat(reasons.get(1)).contains("\"code\":3").contains("not an OTLP");
      assertThat(reasons.get(2)).contains("has no tenant");
      assertThat(reasons.get(3)).contains("not valid gzip");
      assertThat(bad.get()).isZero();
      assertThat(good.get()).isGreaterThanOrEqualTo(20);
      assertThat(count(pg(), db, "SELECT count(*) FROM samples")).isEqualTo(good.get() * 10L);
      assertThat(count(pg(), db, "SELECT count(*) FROM series")).isEqualTo(good.get());
    }
  }

  /** A body that says it is gzip and is not. */
  private static HttpResponse<byte[]> gzipLie(int port) throws Exception {
    return Otlp.HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "gzip")
            .header("Authorization", "Bearer " + ACME)
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3, 4}))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aFullWriteQueueAnswers429AndLosesNothingAccepted() throws Exception {
    String db = "backpressure";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db, 500)) {
      // prime series ids and partitions, then hold the samples table so the writer waits
      assertThat(Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "a", t0, 1)).statusCode())
          .isEqualTo(200);
      try (Connection lock = pg().connect(db)) {
        lock.setAutoCommit(false);
        lock.createStatement().execute("LOCK TABLE samples IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<Integer> first =
            CompletableFuture.supplyAsync(
                () ->
                    Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "a", t0 + 10_000, 300))
                        .statusCode());
        org.awaitility.Awaitility.await()
            .until(() -> count(pg(), db, "SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
        // another tenant's (a tenant alone may hold half the queue once it is half full)
        CompletableFuture<Integer> second =
            CompletableFuture.supplyAsync(
                () ->
                    Otlp.post(c.port(), PLATFORM, Otlp.gauge("globex", "m", "b", t0 + 10_000, 150))
                        .statusCode());
        // both waiting in the queue (450 of 500) before the one that does not fit
        org.awaitility.Awaitility.await().until(() -> c.queuedSamples() == 450);
        HttpResponse<byte[]> refused =
            Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "c", t0 + 10_000, 100));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(statusMessage(refused.body())).contains("write queue full");
        lock.rollback();
        assertThat(first.get()).isEqualTo(200);
        assertThat(second.get()).isEqualTo(200);
      }
      assertThat(count(pg(), db, "SELECT count(*) FROM samples")).isEqualTo(451);
      assertThat(
              count(
                  pg(),
                  db,
                  "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id"
                      + " WHERE s.labels->>'series' = 'c'"))
          .isZero();
    }
  }

  @Test
  void deltaSumsBecomeCumulativeAndExponentialHistogramsAreReportedRejected() throws Exception {
    String db = "delta";
    PG.createDatabase(db);
    long t0 = T0;
    try (Backend c = TestCollectors.start(pg(), db)) {
      for (int i = 0; i < 3; i++) {
        Sum.Builder sum = Otlp.deltaSum(t0 + i * 1000L, 5 + i);
        ExportMetricsServiceRequest r =
            ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(
                    ResourceMetrics.newBuilder()
                        .setResource(
                            Resource.newBuilder().addAttributes(Otlp.attr("tenant", "acme")))
                        .addScopeMetrics(
                            ScopeMetrics.newBuilder()
                                .addMetrics(Metric.newBuilder().setName("orders").setSum(sum))
                                .addMetrics(
                                    Metric.newBuilder()
                                        .setName("latency")
                                        .setExponentialHistogram(
                                            ExponentialHistogram.newBuilder()
                                                .addDataPoints(
                                                    ExponentialHistogramDataPoint
                                                        .getDefaultInstance())))))
                .build();
        HttpResponse<byte[]> resp = Otlp.post(c.port(), ACME, r);
        assertThat(resp.statusCode()).isEqualTo(200);
        var partial = ExportMetricsServiceResponse.parseFrom(resp.body()).getPartialSuccess();
        assertThat(partial.getRejectedDataPoints()).isEqualTo(1);
        assertThat(partial.getErrorMessage()).contains("exponential histograms");
      }
      List<Double> values = new ArrayList<>();
      try (Connection conn = pg().connect(db);
          PreparedStatement ps =
              conn.prepareStatement(
                  "SELECT x.value FROM samples x JOIN series s ON s.id = x.series_id"
                      + " WHERE s.metric = ? ORDER BY x.time")) {
        ps.setString(1, "orders_total");
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            values.add(rs.getDouble(1));
          }
        }
      }
      assertThat(values).containsExactly(5.0, 11.0, 18.0);
    }
  }

  @Test
  void aRestartMigratesNothingAndReloadsTheHeadFromStorage() throws Exception {
    String db = "restart";
    PG.createDatabase(db);
    long now = System.currentTimeMillis();
    AtomicLong stored = new AtomicLong();
    long migrations;
    try (Backend c = TestCollectors.start(pg(), db)) {
      migrations = count(pg(), db, "SELECT count(*) FROM tillwatch_schema_version");
      assertThat(migrations).isGreaterThanOrEqualTo(1);
      // 2 hours of a series, one sample a second: all inside the 3 h head
      for (int batch = 0; batch < 8; batch++) {
        long t0 = now - 7_200_000L + batch * 900_000L;
        assertThat(Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "a", t0, 900)).statusCode())
            .isEqualTo(200);
        stored.addAndGet(900);
      }
      // and an old one, outside the head
      assertThat(
              Otlp.post(c.port(), ACME, Otlp.gauge("acme", "m", "old", now - 86_400_000L, 10))
                  .statusCode())
          .isEqualTo(200);
    }
    try (Backend c = TestCollectors.start(pg(), db)) {
      assertThat(count(pg(), db, "SELECT count(*) FROM tillwatch_schema_version"))
          .isEqualTo(migrations);
      assertThat(c.headLoadedSamples()).isEqualTo(stored.get());
      assertThat(c.head().samples()).isEqualTo(stored.get());
      assertThat(c.head().series()).hasSize(1);
      double bytesPerSample = (double) c.head().bytes() / c.head().samples();
      assertThat(bytesPerSample).isLessThan(2.0);
    }
  }
}
