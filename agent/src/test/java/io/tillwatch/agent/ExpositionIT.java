package io.tillwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.sandbox.ReplicatedPostgres;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} of an agent on a real primary and standby, checked by the real promtool. */
class ExpositionIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final Path PROMTOOL =
      Path.of(System.getProperty("tillwatch.promtool", "/usr/bin/promtool"));

  private Agent agent;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  @Test
  @Timeout(120)
  void exposition_passes_promtool_in_text_and_serves_openmetrics_on_request() throws Exception {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    c.primary().execute("GRANT CREATE ON SCHEMA public TO " + TestAgents.MONITOR);
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                TestAgents.postgres("acme-primary", c.primary(), true),
                TestAgents.postgres("acme-standby", c.standby(), false),
                TestAgents.postgres(
                    "acme-gone", "jdbc:postgresql://127.0.0.1:1/postgres", "m", "x", false)));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                TestAgents.valueOrNaN(
                            agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby")
                        == 1
                    && TestAgents.valueOrNaN(agent, "tillwatch_target_up", "target", "acme-gone")
                        == 0);

    HttpResponse<String> text = get(null);
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    assertThat(text.body())
        .contains("# TYPE tillwatch_target_up gauge")
        .containsPattern(
            "(?m)^tillwatch_target_up\\{target=\"acme-primary\",tenant=\"acme\",type=\"postgres\"} 1(\\.0)?$")
        .containsPattern(
            "(?m)^tillwatch_target_up\\{target=\"acme-gone\",tenant=\"acme\",type=\"postgres\"} 0(\\.0)?$")
        .containsPattern(
            "(?m)^tillwatch_target_last_error_info\\{reason=\"refused\",target=\"acme-gone\",tenant=\"acme\",type=\"postgres\"} 1(\\.0)?$")
        .contains("# TYPE tillwatch_pg_wal_archive_failed_total counter")
        .contains(
            "tillwatch_pg_replication_lag_bytes{standby=\"standby1\",target=\"acme-primary\",tenant=\"acme\"}")
        .containsPattern(
            "(?m)^tillwatch_pg_standby_stream_up\\{target=\"acme-standby\",tenant=\"acme\"} 1(\\.0)?$")
        .contains("jvm_memory_used_bytes")
        .contains("tillwatch_agent_scrape_duration_seconds_count")
        .doesNotContain("NaN");

    Process promtool =
        new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    promtool.getOutputStream().write(text.body().getBytes(StandardCharsets.UTF_8));
    promtool.getOutputStream().close();
    String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as("promtool check metrics said:\n%s", verdict).isZero();

    HttpResponse<String> om = get("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/openmetrics-text"));
    assertThat(om.body()).endsWith("# EOF\n").contains("tillwatch_pg_wal_archive_failed_total{");

    // every request is answered at once, in Prometheus's error shape: unknown paths, wrong methods
    String base = agent.metricsUrl().replace("/metrics", "");
    for (String[] call :
        new String[][] {
          {"POST", "/api/v1/events", "404"},
          {"GET", "/nowhere", "404"},
          {"POST", "/metrics", "405"},
          {"DELETE", "/health", "405"}
        }) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + call[1]))
                  .timeout(Duration.ofSeconds(5))
                  .method(call[0], HttpRequest.BodyPublishers.ofString("x".repeat(100_000)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(Integer.parseInt(call[2]));
      assertThat(r.body()).contains("\"status\":\"error\"");
    }
  }

  private HttpResponse<String> get(String accept) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(agent.metricsUrl())).timeout(Duration.ofSeconds(10));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
