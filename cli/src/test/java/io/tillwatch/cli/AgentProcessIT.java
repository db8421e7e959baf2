package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.sandbox.ReplicatedPostgres;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The built distribution ({@code target/tillwatch.jar}) run as a process, as a user runs it. */
class AgentProcessIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final String PASSWORD = "Sup3r-s3cret-pw";

  @TempDir Path dir;

  private Process start(Path out, String... args) throws IOException {
    return Distribution.start(out, java.util.Map.of("ACME_PG_PASSWORD", PASSWORD), args);
  }

  @Test
  @Timeout(60)
  void configErrorExitsWithCode2AndNamesFileLineColumnAndField() throws Exception {
    Path config = dir.resolve("estate.yaml");
    Files.writeString(
        config,
        """
        agent:
          interval: 15s
          timout: 5s
        tenants: []
        """);
    Path out = dir.resolve("out.txt");
    Process p = start(out, "agent", "--config", config.toString());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(out)).contains(config + ":3:3: agent.timout: Unknown property");
  }

  @Test
  @Timeout(120)
  void servesMetricsThenStopsOnSigtermWithExitCode0AndNeverPrintsTheSecret() throws Exception {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole("monitor", PASSWORD);
    int port = io.tillwatch.localpg.FreePorts.next();
    Path config = dir.resolve("estate.yaml");
    Files.writeString(
        config,
        """
        agent:
          listen: 127.0.0.1:%d
          interval: 1s
          timeout: 1s
        tenants:
          - id: acme
            tier: dedicated
            timezone: Europe/Berlin
            targets:
              - type: postgres
                name: acme-primary
                url: %s
                user: monitor
                password: ${ACME_PG_PASSWORD}
              - type: postgres
                name: acme-wrong-password
                url: %s
                user: monitor
                password: not-${ACME_PG_PASSWORD}
        """
            .formatted(port, c.primary().jdbcUrl("postgres"), c.primary().jdbcUrl("postgres")));
    Path out = dir.resolve("out.txt");
    Process p = start(out, "agent", "--config", config.toString());
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest get =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                String body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
                assertThat(body)
                    .containsPattern(
                        "tillwatch_target_up\\{target=\"acme-primary\",tenant=\"acme\",type=\"postgres\"} 1")
                    .contains("reason=\"auth\",target=\"acme-wrong-password\"");
              });
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
    String log = Files.readString(out);
    assertThat(log).contains("serving http://127.0.0.1:" + port + "/metrics");
    assertThat(log).contains("acme/acme-wrong-password (postgres) is down: auth");
    assertThat(log).doesNotContain(PASSWORD);
  }
}
