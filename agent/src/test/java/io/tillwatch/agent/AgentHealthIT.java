package io.tillwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's /health: a value per component, 503 naming what fails, never "always OK". */
class AgentHealthIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Answer(int status, JsonNode body) {}

  private static Answer health(Agent agent) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/health"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  @Test
  @Timeout(60)
  void pushFailingMakesTheAgentUnhealthyADownTargetDoesNot(@TempDir Path dir) throws Exception {
    int collectorPort = FreePorts.next(); // nothing listens there yet
    int deadPostgres = FreePorts.next();
    PushConfig push =
        new PushConfig(
            URI.create("http://127.0.0.1:" + collectorPort + "/v1/metrics"),
            Secret.of("token"),
            PushConfig.DEFAULT_BUFFER_BYTES,
            dir.resolve("buffer"));
    EstateConfig estate =
        new EstateConfig(
            new AgentConfig(
                new HostPort("127.0.0.1", 0),
                Duration.ofMillis(500),
                Duration.ofMillis(400),
                Optional.of(push)),
            List.of(
                new TenantConfig(
                    TestAgents.tenant("acme"),
                    List.of(
                        TestAgents.postgres(
                            "acme-primary",
                            "jdbc:postgresql://127.0.0.1:" + deadPostgres + "/postgres",
                            "monitor",
                            "x",
                            false)))));
    Agent agent = TestAgents.started(estate);
    HttpServer collector = null;
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> health(agent).status() == 503);
      JsonNode failing = health(agent).body();
      assertThat(failing.path("status").asText()).isEqualTo("failing");
      assertThat(failing.path("components").path("push").path("reason").asText())
          .startsWith("cannot push to http://127.0.0.1:" + collectorPort);
      assertThat(failing.path("components").path("scrapes").path("status").asText())
          .isEqualTo("ok");
      assertThat(TestAgents.value(agent.samples(), "tillwatch_target_up")).hasValue(0.0);

      collector = HttpServer.create(new InetSocketAddress("127.0.0.1", collectorPort), 0);
      collector.createContext(
          "/v1/metrics",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      collector.start();
      await().atMost(Duration.ofSeconds(40)).until(() -> health(agent).status() == 200);
      JsonNode ok = health(agent).body();
      assertThat(ok.path("status").asText()).isEqualTo("ok");
      assertThat(ok.path("components").path("push").has("reason")).isFalse();
    } finally {
      TestAgents.stop(agent);
      if (collector != null) {
        collector.stop(0);
      }
    }
  }
}
