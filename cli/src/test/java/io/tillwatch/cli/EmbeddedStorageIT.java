package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tillwatch collector} with no database configured: its own PostgreSQL under ./data. */
class EmbeddedStorageIT {
  private static final String TOKEN = "embedded-token-0123456789";
  private Path dir;

  @AfterEach
  void cleanUp() throws IOException {
    if (dir != null) {
      try (var paths = Files.walk(dir)) {
        for (Path p :
            (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private Process start(Path config, Path log) throws IOException {
    return Distribution.start(
        log,
        java.util.Map.of("AGENT_TOKEN", TOKEN),
        "collector",
        "--config",
        config.toString(),
        "--pg-bin",
        ReplicatedPostgresExtension.postgresBin().toString());
  }

  private static void hangUp(Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  private static String ownMetrics(int port) throws Exception {
    return Otlp.HTTP
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String awaitStarted(Path log) {
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .until(() -> Files.readString(log).contains("OTLP/HTTP on"));
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Timeout(240)
  void createsItsDatabaseOnceAndKeepsTheDataAcrossRestarts() throws Exception {
    // PostgreSQL runs as another user when the tests run as root: a directory it can enter
    dir =
        Files.createTempDirectory(
            "tillwatch-embedded-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    int port = FreePorts.next();
    Path config = dir.resolve("collector.yaml");
    Files.writeString(
        config,
        """
        collector:
          listen: 127.0.0.1:%d
          own_metrics_interval: 0s
          tokens:
            - token: ${AGENT_TOKEN}
              tenants: ["*"]
        """
            .formatted(port));
    Process first = start(config, dir.resolve("first.log"));
    try {
      assertThat(awaitStarted(dir.resolve("first.log")))
          .contains("embedded PostgreSQL in " + dir.resolve("data"))
          .contains("0 samples loaded");
      long now = System.currentTimeMillis();
      Gauge.Builder g = Gauge.newBuilder();
      for (int i = 0; i < 30; i++) {
        g.addDataPoints(
            NumberDataPoint.newBuilder()
                .setTimeUnixNano((now - 60_000L + i * 1000L) * 1_000_000L)
                .setAsDouble(i));
      }
      ExportMetricsServiceRequest request =
          Otlp.request("acme", Metric.newBuilder().setName("m").setGauge(g));
      var r = Otlp.post(port, TOKEN, request);
      assertThat(r.statusCode()).isEqualTo(200);
    } finally {
      first.destroy(); // SIGTERM: a graceful stop, which also stops its PostgreSQL
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(dir.resolve("data").resolve("pgdata").resolve("PG_VERSION")))
        .isNotBlank();
    Process second = start(config, dir.resolve("second.log"));
    try {
      assertThat(awaitStarted(dir.resolve("second.log"))).contains("30 samples loaded");
      // SIGHUP with a broken collector file: refused, said where, the collector goes on
      String good = Files.readString(config);
      Files.writeString(config, good.replace("tokens:", "tokenz:"));
      hangUp(second);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(dir.resolve("second.log")).contains("reload refused"));
      assertThat(Files.readString(dir.resolve("second.log"))).contains(config + ":4:");
      assertThat(ownMetrics(port)).contains("tillwatch_config_last_reload_successful 0");
      Files.writeString(config, good);
      hangUp(second);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ownMetrics(port).contains("tillwatch_config_last_reload_successful 1"));
      assertThat(second.isAlive()).isTrue();
    } finally {
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }
}
