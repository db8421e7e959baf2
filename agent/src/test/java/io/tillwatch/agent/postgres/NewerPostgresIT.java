package io.tillwatch.agent.postgres;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.sandbox.ReplicatedPostgres;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same collector on the newest PostgreSQL (the Maven Central bundle, 18.x). */
class NewerPostgresIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = ReplicatedPostgresExtension.embedded();

  private Agent agent;

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  @Test
  @Timeout(120)
  void primaryAndStandbyMetricsOnPostgres18() {
    ReplicatedPostgres c = PG.cluster();
    assertThat(c.primary().queryString("SHOW server_version_num")).startsWith("18");
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    c.primary().execute("GRANT CREATE ON SCHEMA public TO " + TestAgents.MONITOR);
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                TestAgents.postgres("acme-primary", c.primary(), true),
                TestAgents.postgres("acme-standby", c.standby(), false)));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "acme-primary"))
                  .isEqualTo(1);
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "acme-standby"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_connected_standbys", "target", "acme-primary"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_replication_streaming", "standby", "standby1"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_standby_heartbeat_used", "target", "acme-standby"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_pg_standby_replay_delay_seconds",
                          "target",
                          "acme-standby"))
                  .isLessThan(2);
              assertThat(
                      valueOrNaN(agent, "tillwatch_pg_replication_slot_active", "slot", "standby1"))
                  .isEqualTo(1);
            });
    c.breakStream();
    await()
        .atMost(Duration.ofSeconds(4))
        .untilAsserted(
            () ->
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                    .isEqualTo(0));
  }
}
