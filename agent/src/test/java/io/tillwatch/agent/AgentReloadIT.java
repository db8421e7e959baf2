package io.tillwatch.agent;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.model.Sample;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /-/reload}: a tenant added to the estate file is scraped while the others keep their
 * schedule; a broken file is refused with its position, the running configuration stays and the
 * metric says so; a removed tenant's target stops; without the lifecycle API the call is refused.
 */
class AgentReloadIT {
  @TempDir Path dir;
  private Agent agent;
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    watch.shutdownNow();
    TestAgents.stop(agent);
  }

  private String tenant(String id) throws Exception {
    return io.tillwatch.testkit.EstateFiles.statusTenant(dir, id);
  }

  private HttpResponse<String> post(String path) throws Exception {
    URI metrics = URI.create(agent.metricsUrl());
    return HTTP.send(
        HttpRequest.newBuilder(metrics.resolve(path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String metrics() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(agent.metricsUrl())).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private double up(String target) {
    return valueOrNaN(agent, "tillwatch_target_up", "target", target);
  }

  @Test
  @Timeout(120)
  void aReloadAddsAndRemovesTargetsAndABrokenFileIsRefused() throws Exception {
    Path file = dir.resolve("estate.yaml");
    String head = "agent: {listen: \"127.0.0.1:0\", interval: 2s, timeout: 1s}\ntenants:\n";
    Files.writeString(file, head + tenant("acme") + tenant("bistro"));
    EstateConfigLoader loader =
        new EstateConfigLoader(new Interpolation(System::getenv, Files::readString));
    agent = Agent.create(loader.load(file));
    agent.reloadFrom(() -> loader.load(file));
    agent.enableLifecycle();
    TestAgents.started(agent);
    await().atMost(Duration.ofSeconds(10)).until(() -> up("acme-backups") == 1);
    List<Double> acme = new ArrayList<>();
    watch.scheduleAtFixedRate(
        () -> {
          for (Sample s : agent.samples()) {
            if (s.name().equals("tillwatch_target_last_scrape_timestamp_seconds")
                && "acme-backups".equals(s.labels().get("target"))) {
              synchronized (acme) {
                if (acme.isEmpty() || acme.get(acme.size() - 1) != s.value()) {
                  acme.add(s.value());
                }
              }
            }
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);

    // a third tenant
    Files.writeString(file, head + tenant("acme") + tenant("bistro") + tenant("corner"));
    assertThat(post("/-/reload").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> up("corner-backups") == 1);

    // a typo: refused, said where, the running configuration goes on
    Files.writeString(file, head + tenant("acme").replace("tier:", "teir:"));
    HttpResponse<String> refused = post("/-/reload");
    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(refused.body()).contains(file + ":4:").contains("teir");
    assertThat(metrics()).containsPattern("(?m)^tillwatch_config_last_reload_successful 0(\\.0)?$");
    Thread.sleep(2_500);
    assertThat(up("corner-backups")).isEqualTo(1);
    assertThat(up("bistro-backups")).isEqualTo(1);

    // bistro gone
    Files.writeString(file, head + tenant("acme") + tenant("corner"));
    assertThat(post("/-/reload").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> Double.isNaN(up("bistro-backups")));
    assertThat(metrics()).containsPattern("(?m)^tillwatch_config_last_reload_successful 1(\\.0)?$");
    Thread.sleep(2_500);

    // acme, never changed, kept its schedule through the three reloads: 2 s apart throughout
    synchronized (acme) {
      assertThat(acme).hasSizeGreaterThanOrEqualTo(3);
      for (int i = 1; i < acme.size(); i++) {
        assertThat(acme.get(i) - acme.get(i - 1)).as("gap %d", i).isBetween(1.5, 2.5);
      }
    }
  }

  @Test
  @Timeout(60)
  void withoutTheLifecycleApiAReloadIsRefused() throws Exception {
    Path file = dir.resolve("estate.yaml");
    Files.writeString(
        file,
        "agent: {listen: \"127.0.0.1:0\", interval: 2s, timeout: 1s}\ntenants:\n" + tenant("acme"));
    agent =
        TestAgents.started(
            Agent.create(
                new EstateConfigLoader(new Interpolation(System::getenv, Files::readString))
                    .load(file)));
    HttpResponse<String> r = post("/-/reload");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("--web.enable-lifecycle");
  }
}
