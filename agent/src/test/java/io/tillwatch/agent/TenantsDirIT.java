package io.tillwatch.agent;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.model.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants from a directory that onboarding writes into: three tenants scraped, a fourth tenant's
 * file dropped in is scraped within one interval while no other target misses a scrape, a broken
 * file is left out and counted, and a removed file's target stops.
 */
class TenantsDirIT {
  @TempDir Path dir;
  private Agent agent;
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    watch.shutdownNow();
    TestAgents.stop(agent);
  }

  private void tenant(Path tenants, String id) throws Exception {
    Path status = dir.resolve(id + "-status.json");
    Files.writeString(
        status, "{\"job\": \"nightly\", \"last_success\": 1795744800, \"exit_code\": 0}");
    Files.writeString(
        tenants.resolve(id + ".yaml"),
        """
        id: %s
        tier: shared
        timezone: Europe/Berlin
        targets:
          - type: backup_status
            name: %s-backups
            path: %s
        """
            .formatted(id, id, status));
  }

  private double up(String target) {
    return valueOrNaN(agent, "tillwatch_target_up", "target", target);
  }

  @Test
  @Timeout(120)
  void aTenantFileDroppedInIsScrapedAndNothingElseMissesAScrape() throws Exception {
    Path tenants = Files.createDirectories(dir.resolve("tenants.d"));
    for (String id : List.of("acme", "bistro", "corner")) {
      tenant(tenants, id);
    }
    Path estateFile = dir.resolve("estate.yaml");
    Files.writeString(
        estateFile,
        """
        agent: {listen: "127.0.0.1:0", interval: 4s, timeout: 2s}
        tenants_dir: tenants.d
        """);
    EstateConfig estate =
        new EstateConfigLoader(new Interpolation(System::getenv, Files::readString))
            .load(estateFile);
    agent = TestAgents.started(Agent.create(estate));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                up("acme-backups") == 1 && up("bistro-backups") == 1 && up("corner-backups") == 1);

    // every scrape of the first three, as their last-scrape times show them, from now on
    Map<String, List<Double>> scrapes = new ConcurrentHashMap<>();
    watch.scheduleAtFixedRate(
        () -> {
          for (Sample s : agent.samples()) {
            if (s.name().equals("tillwatch_target_last_scrape_timestamp_seconds")) {
              List<Double> seen =
                  scrapes.computeIfAbsent(s.labels().get("target"), k -> new ArrayList<>());
              synchronized (seen) {
                if (seen.isEmpty() || seen.get(seen.size() - 1) != s.value()) {
                  seen.add(s.value());
                }
              }
            }
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    Thread.sleep(5_000);

    // a fourth tenant's file, and a broken one
    long dropped = System.nanoTime();
    tenant(tenants, "delta");
    Files.writeString(tenants.resolve("echo.yaml"), "id: echo\nteir: shared\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> up("delta-backups") == 1);
    double took = (System.nanoTime() - dropped) / 1e9;
    assertThat(took).as("seconds until the new tenant was scraped").isLessThan(4.0);
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(agent.metricsUrl()))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .containsPattern("(?m)^tillwatch_agent_tenant_files\\{state=\"valid\"} 4(\\.0)?$")
        .containsPattern("(?m)^tillwatch_agent_tenant_files\\{state=\"invalid\"} 1(\\.0)?$");
    Thread.sleep(5_000);

    // no target of the first three missed a scrape: their scrapes kept 4 s apart
    for (String t : List.of("acme-backups", "bistro-backups", "corner-backups")) {
      List<Double> seen = scrapes.get(t);
      List<Double> g = new ArrayList<>();
      synchronized (seen) {
        for (int i = 1; i < seen.size(); i++) {
          g.add(seen.get(i) - seen.get(i - 1));
        }
      }
      assertThat(g).as(t).hasSizeGreaterThanOrEqualTo(2).allMatch(x -> x > 3 && x < 5);
    }

    // a tenant's file removed: its target stops, its series go
    Files.delete(tenants.resolve("bistro.yaml"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Double.isNaN(up("bistro-backups")));
    assertThat(up("acme-backups")).isEqualTo(1);
  }
}
