package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests written together in one transaction: a storage error caused by one request's data fails
 * that request alone (400), never its neighbours; a tenant bursting into a full write queue gets
 * 429 alone while another tenant still gets in. The writer is held with a real table lock.
 */
class WriteIsolationIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static Backend collector;

  @BeforeAll
  static void start() throws Exception {
    PG.createDatabase("isolation");
    collector =
        TestCollectors.start(
            TestCollectors.config(PG.server(), "isolation", 2_000), List.of(), java.util.Map.of());
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private static ExportMetricsServiceRequest samples(
      String tenant, String name, int n, double value) {
    Gauge.Builder g = Gauge.newBuilder();
    long now = System.currentTimeMillis();
    for (int i = 0; i < n; i++) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(Otlp.attr("i", Integer.toString(i)))
              .setTimeUnixNano(now * 1_000_000L)
              .setAsDouble(value));
    }
    return Otlp.request(tenant, Metric.newBuilder().setName(name).setGauge(g));
  }

  private static CompletableFuture<HttpResponse<byte[]>> send(ExportMetricsServiceRequest r) {
    return CompletableFuture.supplyAsync(() -> Otlp.post(collector.port(), PLATFORM, r));
  }

  /** Holds every write to samples until the returned connection rolls back. */
  private static Connection lockSamples() throws Exception {
    Connection c = PG.server().connect("isolation");
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE samples IN SHARE ROW EXCLUSIVE MODE");
    }
    return c;
  }

  private static long stored(String metric) throws Exception {
    try (Connection c = PG.server().connect("isolation");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id"
                    + " WHERE s.metric = '"
                    + metric
                    + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aRequestWhoseDataStorageRefusesFailsAlone() throws Exception {
    try (Connection c = PG.server().connect("isolation");
        Statement s = c.createStatement()) {
      // storage refuses one value: a real check violation, as a value it cannot hold would be
      s.execute("ALTER TABLE samples ADD CONSTRAINT no_666 CHECK (value <> 666)");
    }
    Connection lock = lockSamples();
    CompletableFuture<HttpResponse<byte[]>> first = send(samples("filler", "first_gauge", 5, 1));
    await().until(() -> collector.queuedSamples() == 5); // the writer holds it, blocked
    CompletableFuture<HttpResponse<byte[]>> bad = send(samples("bad", "bad_gauge", 5, 666));
    CompletableFuture<HttpResponse<byte[]>> good = send(samples("good", "good_gauge", 5, 1));
    await().until(() -> collector.queuedSamples() == 15); // both wait: one transaction next
    lock.rollback();
    lock.close();
    assertThat(first.get().statusCode()).isEqualTo(200);
    HttpResponse<byte[]> refused = bad.get();
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(new String(refused.body(), StandardCharsets.ISO_8859_1)).contains("no_666");
    assertThat(good.get().statusCode()).isEqualTo(200);
    assertThat(stored("good_gauge")).isEqualTo(5);
    assertThat(stored("bad_gauge")).isZero();
    assertThat(collector.queuedSamples()).isZero();
  }

  @Test
  void aBurstingTenantGets429AloneWhileAnotherStillGetsIn() throws Exception {
    Connection lock = lockSamples();
    List<CompletableFuture<HttpResponse<byte[]>>> burst = new ArrayList<>();
    CompletableFuture<HttpResponse<byte[]>> steady;
    try {
      // one tenant fills the queue (bound 2,000): past half, it may hold half of it
      for (int i = 0; i < 3; i++) {
        burst.add(send(samples("burst", "burst_gauge", 300, 1)));
        int expected = 300 * (i + 1);
        await().until(() -> collector.queuedSamples() == expected);
      }
      HttpResponse<byte[]> over = send(samples("burst", "burst_gauge", 300, 1)).get();
      assertThat(over.statusCode()).isEqualTo(429);
      assertThat(new String(over.body(), StandardCharsets.ISO_8859_1)).contains("share");
      // the queue is not full: another tenant's request is taken, past half of the queue
      steady = send(samples("steady", "steady_gauge", 200, 1));
      await().until(() -> collector.queuedSamples() == 1_100);
      assertThat(send(samples("burst", "burst_gauge", 300, 1)).get().statusCode()).isEqualTo(429);
      lock.rollback();
    } finally {
      lock.close();
    }
    assertThat(steady.get().statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<byte[]>> b : burst) {
      assertThat(b.get().statusCode()).isEqualTo(200);
    }
    assertThat(stored("steady_gauge")).isEqualTo(200);
    assertThat(stored("burst_gauge")).isEqualTo(900);
  }
}
