package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Readiness tells the truth: storage gone → 503 naming storage; back → 200. */
class ReadinessIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Answer(int status, JsonNode body) {}

  private static Answer get(int port, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  @Test
  @Timeout(120)
  void storageStoppedUnderARunningCollectorMakesItUnreadyUntilItReturns() throws Exception {
    PG.createDatabase("ready");
    CollectorConfig config =
        TestCollectors.config(
            PG.server(), "ready", INTERVAL, AlertingConfig.NONE, QueryConfig.DEFAULT);
    try (Backend c = TestCollectors.start(config, List.of(), Map.of())) {
      Answer ready = get(c.port(), "/-/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body().path("status").asText()).isEqualTo("ok");
      assertThat(ready.body().path("components").path("storage").path("status").asText())
          .isEqualTo("ok");

      PG.server().stop();
      long stopped = System.nanoTime();
      // the storage probe runs every evaluation interval: unready within one, plus slack
      await()
          .atMost(INTERVAL.plusSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> get(c.port(), "/-/ready").status() == 503);
      Duration took = Duration.ofNanos(System.nanoTime() - stopped);
      Answer unready = get(c.port(), "/-/ready");
      assertThat(unready.body().path("status").asText()).isEqualTo("failing");
      JsonNode storage = unready.body().path("components").path("storage");
      assertThat(storage.path("status").asText()).isEqualTo("failing");
      assertThat(storage.path("reason").asText()).startsWith("unreachable: ");
      assertThat(storage.path("since").asText()).isNotBlank();
      assertThat(unready.body().path("components").path("head").path("status").asText())
          .isEqualTo("ok");
      assertThat(get(c.port(), "/-/healthy").status()).isEqualTo(503);
      System.out.println("ReadinessIT: 503 after " + took.toMillis() + " ms");

      PG.server().start();
      await()
          .atMost(INTERVAL.plusSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> get(c.port(), "/-/ready").status() == 200);
      assertThat(
              get(c.port(), "/-/ready")
                  .body()
                  .path("components")
                  .path("storage")
                  .path("status")
                  .asText())
          .isEqualTo("ok");
    }
  }
}
