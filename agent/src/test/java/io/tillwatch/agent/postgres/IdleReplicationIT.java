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

/** An idle, healthy primary and standby: no lag, no ever-growing replay delay. */
class IdleReplicationIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private Agent agent;

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  @Test
  @Timeout(180)
  void idleHealthyStandbyShowsNoLagForAMinute() throws Exception {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    c.writeWal(10_000); // a replayed commit, so pg_last_xact_replay_timestamp() is set
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                TestAgents.postgres("acme-primary", c.primary(), false),
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
                          agent, "tillwatch_pg_replication_lag_bytes", "standby", "standby1"))
                  .isZero();
            });
    assertThat(valueOrNaN(agent, "tillwatch_pg_in_recovery", "target", "acme-primary"))
        .isEqualTo(0);
    assertThat(valueOrNaN(agent, "tillwatch_pg_in_recovery", "target", "acme-standby"))
        .isEqualTo(1);
    assertThat(valueOrNaN(agent, "tillwatch_pg_connected_standbys", "target", "acme-primary"))
        .isEqualTo(1);
    assertThat(valueOrNaN(agent, "tillwatch_pg_replication_slot_active", "slot", "standby1"))
        .isEqualTo(1);
    assertThat(
            valueOrNaN(agent, "tillwatch_pg_replication_slot_retained_bytes", "slot", "standby1"))
        .isBetween(0.0, 1e6);

    double[] maxDelay = {0};
    await()
        .during(Duration.ofSeconds(60))
        .atMost(Duration.ofSeconds(70))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_replication_streaming", "standby", "standby1"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_pg_replication_replay_lag_seconds",
                          "standby",
                          "standby1"))
                  .isBetween(0.0, 1.0);
              double delay =
                  valueOrNaN(
                      agent, "tillwatch_pg_standby_replay_delay_seconds", "target", "acme-standby");
              assertThat(delay).isBetween(0.0, 1.0);
              maxDelay[0] = Math.max(maxDelay[0], delay);
            });
    // what a naive exporter reports after the same idle minute: it grows without any lag
    double naive =
        Double.parseDouble(
            c.standby()
                .queryString("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())"));
    assertThat(naive).isGreaterThan(55);
    assertThat(maxDelay[0]).isLessThan(1.0);
  }
}
