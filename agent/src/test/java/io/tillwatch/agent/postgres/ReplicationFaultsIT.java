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

/** Replay paused and broken streams, on a real primary and standby, with the heartbeat on. */
class ReplicationFaultsIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final Duration INTERVAL = Duration.ofSeconds(1);

  /** A fault must show within two intervals (plus a scrape's own time). */
  private static final Duration TWO_INTERVALS = INTERVAL.multipliedBy(2).plusMillis(1500);

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
    awaitHealthy();
    assertThat(standby("tillwatch_pg_standby_heartbeat_used")).isEqualTo(1);
  }

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  private double standby(String metric) {
    return valueOrNaN(agent, metric, "target", "acme-standby");
  }

  private double primary(String metric) {
    return valueOrNaN(agent, metric, "target", "acme-primary");
  }

  private double ofStandby1(String metric) {
    return valueOrNaN(agent, metric, "target", "acme-primary", "standby", "standby1");
  }

  private void awaitHealthy() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(standby("tillwatch_pg_standby_stream_up")).isEqualTo(1);
              assertThat(primary("tillwatch_pg_connected_standbys")).isEqualTo(1);
              assertThat(standby("tillwatch_pg_standby_replay_delay_seconds")).isLessThan(2);
            });
  }

  private void awaitStreamDown() {
    await()
        .atMost(TWO_INTERVALS)
        .untilAsserted(() -> assertThat(standby("tillwatch_pg_standby_stream_up")).isEqualTo(0));
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
                assertThat(ofStandby1("tillwatch_pg_replication_lag_bytes")).isGreaterThan(1e6);
                assertThat(standby("tillwatch_pg_standby_replay_paused")).isEqualTo(1);
                assertThat(standby("tillwatch_pg_standby_replay_delay_seconds")).isGreaterThan(3);
              });
      double first = standby("tillwatch_pg_standby_replay_delay_seconds");
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(standby("tillwatch_pg_standby_replay_delay_seconds"))
                      .isGreaterThan(first + 2));
      // receiving still works: the stream is up, only replay waits
      assertThat(standby("tillwatch_pg_standby_stream_up")).isEqualTo(1);
      assertThat(standby("tillwatch_pg_standby_replay_backlog_bytes")).isGreaterThan(1e6);
    } finally {
      c.standby().execute("SELECT pg_wal_replay_resume()");
    }
    awaitHealthy();
    assertThat(ofStandby1("tillwatch_pg_replication_lag_bytes")).isLessThan(100_000);
  }

  @Test
  @Timeout(120)
  void brokenStreamIsReportedWithinTwoIntervals() {
    ReplicatedPostgres c = PG.cluster();
    c.breakStream();
    try {
      c.writeWal(200_000);
      awaitStreamDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(primary("tillwatch_pg_connected_standbys")).isEqualTo(0);
                assertThat(
                        valueOrNaN(
                            agent, "tillwatch_pg_replication_slot_active", "slot", "standby1"))
                    .isEqualTo(0);
                // the heartbeat shows the data getting older although nothing waits to be replayed
                assertThat(standby("tillwatch_pg_standby_replay_delay_seconds")).isGreaterThan(2);
              });
      assertThat(standby("tillwatch_pg_standby_replay_backlog_bytes")).isZero();
      assertThat(standby("tillwatch_target_up")).isEqualTo(1);
    } finally {
      c.repairStream();
    }
    awaitHealthy();
  }

  @Test
  @Timeout(120)
  @SuppressWarnings("try") // the resource is the frozen WAL sender; closing it thaws the sender
  void stalledStreamIsCaughtWhileTheReceiverStillSaysStreaming() throws Exception {
    ReplicatedPostgres c = PG.cluster();
    try (AutoCloseable frozen = c.freezeWalSender()) {
      c.writeWal(100_000);
      awaitStreamDown();
      // postgres_exporter's view at this moment: receiver streaming, received == replayed, lag 0
      assertThat(c.standby().queryString("SELECT status FROM pg_stat_wal_receiver"))
          .isEqualTo("streaming");
      assertThat(
              c.standby()
                  .queryString("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"))
          .isEqualTo("t");
    }
    c.awaitStreaming(Duration.ofSeconds(30));
    awaitHealthy();
  }
}
