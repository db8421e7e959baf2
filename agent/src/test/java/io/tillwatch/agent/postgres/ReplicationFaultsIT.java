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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replay paused and a broken stream, on a real primary and standby, with the heartbeat on. */
class ReplicationFaultsIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final Duration INTERVAL = Duration.ofSeconds(1);

  private Agent agent;

  @BeforeAll
  static void roles() {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    // the heartbeat writes one row: the monitoring role needs to create and update its table
    c.primary().execute("GRANT CREATE ON SCHEMA public TO " + TestAgents.MONITOR);
  }

  @BeforeEach
  void startAgent() {
    ReplicatedPostgres c = PG.cluster();
    agent =
        TestAgents.started(
            TestAgents.estate(
                INTERVAL,
                Duration.ofSeconds(3),
                TestAgents.postgres("acme-primary", c.primary(), true),
                TestAgents.postgres("acme-standby", c.standby(), false)));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
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
                  .isLessThan(1.0);
            });
  }

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  @Test
  @Timeout(120)
  void pausedReplayShowsGrowingLagInBytesAndSeconds() {
    ReplicatedPostgres c = PG.cluster();
    c.standby().execute("SELECT pg_wal_replay_pause()");
    try {
      c.writeWal(2_000_000);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_replication_lag_bytes", "standby", "standby1"))
                    .isGreaterThan(1_000_000);
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_standby_replay_paused", "target", "acme-standby"))
                    .isEqualTo(1);
                assertThat(
                        valueOrNaN(
                            agent,
                            "tillwatch_pg_standby_replay_delay_seconds",
                            "target",
                            "acme-standby"))
                    .isGreaterThan(3);
              });
      double first =
          valueOrNaN(agent, "tillwatch_pg_standby_replay_delay_seconds", "target", "acme-standby");
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(
                          valueOrNaN(
                              agent,
                              "tillwatch_pg_standby_replay_delay_seconds",
                              "target",
                              "acme-standby"))
                      .isGreaterThan(first + 2));
      // receiving still works: the stream is up, only replay waits
      assertThat(valueOrNaN(agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
          .isEqualTo(1);
      assertThat(
              valueOrNaN(
                  agent, "tillwatch_pg_standby_replay_backlog_bytes", "target", "acme-standby"))
          .isGreaterThan(1_000_000);
    } finally {
      c.standby().execute("SELECT pg_wal_replay_resume()");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_replication_lag_bytes", "standby", "standby1"))
                  .isLessThan(100_000);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_pg_standby_replay_delay_seconds",
                          "target",
                          "acme-standby"))
                  .isLessThan(2);
            });
  }

  @Test
  @Timeout(120)
  void brokenStreamIsReportedWithinTwoIntervals() {
    ReplicatedPostgres c = PG.cluster();
    c.breakStream();
    try {
      c.writeWal(200_000);
      await()
          .atMost(INTERVAL.multipliedBy(2).plusMillis(1500))
          .untilAsserted(
              () ->
                  assertThat(
                          valueOrNaN(
                              agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                      .isEqualTo(0));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_connected_standbys", "target", "acme-primary"))
                    .isEqualTo(0);
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_replication_slot_active", "slot", "standby1"))
                    .isEqualTo(0);
                // the heartbeat shows the data getting older although nothing waits to be replayed
                assertThat(
                        valueOrNaN(
                            agent,
                            "tillwatch_pg_standby_replay_delay_seconds",
                            "target",
                            "acme-standby"))
                    .isGreaterThan(2);
              });
      assertThat(
              valueOrNaN(
                  agent, "tillwatch_pg_standby_replay_backlog_bytes", "target", "acme-standby"))
          .isZero();
      assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "acme-standby")).isEqualTo(1);
    } finally {
      c.repairStream();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(
                      valueOrNaN(agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent, "tillwatch_pg_connected_standbys", "target", "acme-primary"))
                  .isEqualTo(1);
            });
  }

  @Test
  @Timeout(120)
  @SuppressWarnings("try") // the resource is the frozen WAL sender; closing it thaws the sender
  void stalledStreamIsCaughtWhileTheReceiverStillSaysStreaming() throws Exception {
    ReplicatedPostgres c = PG.cluster();
    try (AutoCloseable frozen = c.freezeWalSender()) {
      c.writeWal(100_000);
      await()
          .atMost(INTERVAL.multipliedBy(2).plusMillis(1500))
          .untilAsserted(
              () ->
                  assertThat(
                          valueOrNaN(
                              agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                      .isEqualTo(0));
      // postgres_exporter's view at this moment: receiver streaming, received == replayed, lag 0
      assertThat(c.standby().queryString("SELECT status FROM pg_stat_wal_receiver"))
          .isEqualTo("streaming");
      assertThat(
              c.standby()
                  .queryString("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"))
          .isEqualTo("t");
    }
    c.awaitStreaming(Duration.ofSeconds(30));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_standby_stream_up", "target", "acme-standby"))
                    .isEqualTo(1));
  }
}
