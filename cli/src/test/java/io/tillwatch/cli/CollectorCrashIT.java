package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.testkit.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code kill -9} of the collector process in the middle of a heavy ingest. */
class CollectorCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String TOKEN = "crash-test-token-0123456789";
  private static final int PER_BATCH = 2000;

  @TempDir Path dir;

  private Process startCollector(Path config, Path log) throws IOException {
    return Distribution.start(
        log,
        java.util.Map.of(
            "TILLWATCH_DB_PASSWORD", PG.server().superuserPassword(), "AGENT_TOKEN", TOKEN),
        "collector",
        "--config",
        config.toString());
  }

  private static ExportMetricsServiceRequest batch(String id) {
    Gauge.Builder g = Gauge.newBuilder();
    long t0 = System.currentTimeMillis() - PER_BATCH * 1000L;
    for (int i = 0; i < PER_BATCH; i++) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAttributes(attr("tenant", "acme"))
              .addAttributes(attr("batch", id))
              .addAttributes(attr("shard", Integer.toString(i % 50)))
              .setTimeUnixNano((t0 + i * 1000L) * 1_000_000L)
              .setAsDouble(i));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .addMetrics(Metric.newBuilder().setName("crash_test").setGauge(g))))
        .build();
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder()
        .setKey(k)
        .setValue(AnyValue.newBuilder().setStringValue(v))
        .build();
  }

  @Test
  @Timeout(180)
  void everyAcknowledgedSampleIsInTheDatabaseAfterKillMinus9() throws Exception {
    String db = "crash";
    PG.createDatabase(db);
    PostgresServer pg = PG.server();
    int port = FreePorts.next();
    Path config = dir.resolve("collector.yaml");
    Files.writeString(
        config,
        """
        collector:
          listen: 127.0.0.1:%d
          storage:
            url: %s
            user: postgres
            password: ${TILLWATCH_DB_PASSWORD}
          tokens:
            - token: ${AGENT_TOKEN}
              tenants: ["*"]
        """
            // a parameter stands in for a password in the URL: never printed
            .formatted(port, pg.jdbcUrl(db) + "?ApplicationName=pw-in-url-s3cret"));
    Path log = dir.resolve("collector.log");
    Process collector = startCollector(config, log);
    HttpClient http = HttpClient.newHttpClient();
    URI ingest = URI.create("http://127.0.0.1:" + port + "/v1/metrics");
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Set<String> attempted = ConcurrentHashMap.newKeySet();
    AtomicBoolean killed = new AtomicBoolean();
    List<Thread> senders = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      int sender = s;
      senders.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int n = 0; !killed.get(); n++) {
                      String id = sender + "-" + n;
                      byte[] body = batch(id).toByteArray();
                      attempted.add(id);
                      try {
                        HttpResponse<Void> r =
                            http.send(
                                HttpRequest.newBuilder(ingest)
                                    .header("Content-Type", "application/x-protobuf")
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                          acknowledged.add(id);
                        }
                      } catch (IOException | InterruptedException e) {
                        return; // the collector is gone
                      }
                    }
                  }));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 20);
    collector.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    killed.set(true);
    collector.waitFor();
    for (Thread t : senders) {
      t.join();
    }
    Map<String, Long> stored = new HashMap<>();
    try (Connection c = pg.connect(db);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT s.labels->>'batch', count(*) FROM samples x"
                    + " JOIN series s ON s.id = x.series_id WHERE s.labels->>'batch' IS NOT NULL"
                    + " GROUP BY 1")) {
      while (rs.next()) {
        stored.put(rs.getString(1), rs.getLong(2));
      }
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(20);
    for (String id : acknowledged) {
      assertThat(stored.get(id)).as("acknowledged batch %s", id).isEqualTo((long) PER_BATCH);
    }
    // a batch in flight at the kill is all there or not at all: never half
    for (Map.Entry<String, Long> e : stored.entrySet()) {
      assertThat(attempted).contains(e.getKey());
      assertThat(e.getValue()).as("batch %s", e.getKey()).isEqualTo((long) PER_BATCH);
    }
    // and the collector starts again on what the crash left
    Process again = startCollector(config, dir.resolve("collector2.log"));
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> Files.readString(dir.resolve("collector2.log")).contains("OTLP/HTTP on"));
      assertThat(Files.readString(dir.resolve("collector2.log")))
          .contains("samples loaded")
          .contains("storage 127.0.0.1:")
          .doesNotContain("pw-in-url-s3cret")
          .doesNotContain("Exception");
    } finally {
      again.destroy();
      again.waitFor();
    }
  }
}
