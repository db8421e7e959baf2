package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.Backend;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The agent pushing to the collector, both real, on the PostgreSQL sandbox. */
class PushIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final String TOKEN = "agent-eu-token-0123456789";
  private static final String MONITOR_PASSWORD = "m0nitor-pw";

  @TempDir Path dir;

  private static PostgresServer primary() {
    return PG.cluster().primary();
  }

  private static synchronized void monitorRole() {
    if (primary().queryString("SELECT 1 FROM pg_roles WHERE rolname = 'monitor'") == null) {
      primary().createMonitorRole("monitor", MONITOR_PASSWORD);
    }
  }

  private static Backend collector(String db, int port) throws SQLException {
    return TestCollector.start(primary(), primary().jdbcUrl(db), port, TOKEN, Set.of("*"));
  }

  private EstateConfig estate(int collectorPort, Duration interval) {
    PushConfig push =
        new PushConfig(
            URI.create("http://127.0.0.1:" + collectorPort + "/v1/metrics"),
            Secret.of(TOKEN),
            64L * 1000 * 1000,
            dir.resolve("push-buffer"));
    Tenant acme =
        new Tenant(
            "acme", "Acme", Tier.DEDICATED, ZoneId.of("Europe/Berlin"), BusinessHours.always());
    List<io.tillwatch.agent.config.TargetConfig> targets =
        List.of(
            target("acme-primary", primary().jdbcUrl("postgres")),
            target("acme-standby", PG.cluster().standby().jdbcUrl("postgres")));
    return new EstateConfig(
        new AgentConfig(
            new HostPort("127.0.0.1", 0), interval, Duration.ofMillis(900), Optional.of(push)),
        List.of(new TenantConfig(acme, targets)));
  }

  private static PostgresTargetConfig target(String name, String url) {
    return new PostgresTargetConfig(
        name,
        url,
        "monitor",
        Secret.of(MONITOR_PASSWORD),
        false,
        Optional.empty(),
        Optional.empty());
  }

  private static Agent startAgent(EstateConfig estate) throws Exception {
    Agent agent = Agent.create(estate);
    agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return agent;
  }

  private static void stop(Agent agent) throws Exception {
    agent.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static long count(String db, String sql) throws SQLException {
    try (Connection c = primary().connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  @Timeout(120)
  void theCollectorStoresTheSeriesTheAgentServes() throws Exception {
    monitorRole();
    String db = "push_e2e";
    primary().execute("CREATE DATABASE " + db);
    int port = FreePorts.next();
    try (Backend c = collector(db, port)) {
      Agent agent = startAgent(estate(port, Duration.ofSeconds(1)));
      try {
        Pusher pusher = agent.pusher().orElseThrow();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> pusher.sentSamples() > 0 && agent.samples().size() > 20);
        Set<String> served = new TreeSet<>();
        for (Sample s : agent.samples()) {
          served.add(s.name() + new TreeMap<>(s.labels().asMap()));
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(storedSeries(db)).containsAll(served));
        assertThat(served)
            .anyMatch(x -> x.startsWith("tillwatch_pg_replication_lag_bytes{"))
            .anyMatch(x -> x.startsWith("tillwatch_target_up{"));
      } finally {
        stop(agent);
      }
      assertThat(storedSeries(db)).allMatch(x -> x.contains("tenant=acme"));
    }
  }

  private static Set<String> storedSeries(String db) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Connection c = primary().connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT metric, labels::text FROM series")) {
      while (rs.next()) {
        Map<String, String> labels =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(
                    rs.getString(2),
                    new com.fasterxml.jackson.core.type.TypeReference<
                        TreeMap<String, String>>() {});
        out.add(rs.getString(1) + labels);
      }
    }
    return out;
  }

  @Test
  @Timeout(240)
  void aMinuteWithoutTheCollectorAndAnAgentRestartLoseNothing() throws Exception {
    monitorRole();
    String db = "push_outage";
    primary().execute("CREATE DATABASE " + db);
    int port = FreePorts.next();
    EstateConfig estate = estate(port, Duration.ofSeconds(1));
    Backend first = collector(db, port);
    Agent a1 = startAgent(estate);
    Pusher p1 = a1.pusher().orElseThrow();
    await().atMost(Duration.ofSeconds(30)).until(() -> p1.sentSamples() > 0);
    first.close(); // the collector goes away for 60 s
    long outageStart = System.currentTimeMillis();
    Thread.sleep(30_000);
    stop(a1); // and the agent restarts in the middle of it
    long queued1 = p1.queuedSamples();
    assertThat(p1.buffer().size()).as("batches waiting on disk").isGreaterThan(20);
    Agent a2 = startAgent(estate);
    Pusher p2 = a2.pusher().orElseThrow();
    assertThat(p2.buffer().samples()).isPositive();
    Thread.sleep(Math.max(0, outageStart + 60_000 - System.currentTimeMillis()));
    long outageEnd = System.currentTimeMillis();
    try (Backend second = collector(db, port)) {
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> p2.buffer().size() <= 1 && p2.sentSamples() > 0);
      stop(a2);
      long queued2 = p2.queuedSamples();
      long left = p2.buffer().samples(); // the last flush at stop waits for the next start
      assertThat(p1.droppedSamples() + p2.droppedSamples()).isZero();
      long stored = count(db, "SELECT count(*) FROM samples");
      assertThat(stored).isEqualTo(queued1 + queued2 - left);
      assertThat(count(db, "SELECT count(*) FROM (SELECT DISTINCT series_id, time FROM samples) d"))
          .as("no sample twice")
          .isEqualTo(stored);
      // the outage minute itself is there: a scrape of the primary every second but the restart
      long upDuringOutage =
          count(
              db,
              "SELECT count(*) FROM samples x JOIN series s ON s.id = x.series_id"
                  + " WHERE s.metric = 'tillwatch_target_up'"
                  + " AND s.labels->>'target' = 'acme-primary'"
                  + " AND x.time BETWEEN to_timestamp("
                  + outageStart / 1000.0
                  + ") AND to_timestamp("
                  + outageEnd / 1000.0
                  + ")");
      assertThat(upDuringOutage).isBetween(45L, 62L);
      assertThat(second.headLoadedSamples()).isPositive();
    }
    assertThat(
            List.of(p1, p2).stream()
                .map(Pusher::sentSamples)
                .collect(Collectors.summingLong(Long::longValue)))
        .isPositive();
  }
}
