package io.tillwatch.agent.postgres;

import static io.tillwatch.agent.TestAgents.value;
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

/** WAL archiving failing, then working, as pg_stat_archiver reports it. */
class WalArchivingIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private Agent agent;

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  private double primary(String metric) {
    return valueOrNaN(agent, metric, "target", "acme-primary");
  }

  @Test
  @Timeout(120)
  void failedArchivingCountsUpAndWorkingArchivingResetsTheAge() {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                TestAgents.postgres("acme-primary", c.primary(), false)));
    await().atMost(Duration.ofSeconds(20)).until(() -> primary("tillwatch_target_up") == 1);
    assertThat(primary("tillwatch_pg_wal_archiving_enabled")).isEqualTo(1);
    assertThat(primary("tillwatch_pg_wal_archive_failed_total")).isZero();
    assertThat(primary("tillwatch_pg_wal_archived_total")).isZero();
    assertThat(
            value(
                agent.samples(),
                "tillwatch_pg_wal_last_archived_age_seconds",
                "target",
                "acme-primary"))
        .as("absent until a file was ever archived")
        .isEmpty();

    c.primary().execute("ALTER SYSTEM SET archive_command = 'false'", "SELECT pg_reload_conf()");
    c.writeWal(10_000);
    c.primary().execute("SELECT pg_switch_wal()");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(primary("tillwatch_pg_wal_archive_failed_total")).isGreaterThan(0));

    c.primary().execute("ALTER SYSTEM SET archive_command = 'true'", "SELECT pg_reload_conf()");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(primary("tillwatch_pg_wal_archived_total")).isGreaterThanOrEqualTo(1);
              assertThat(primary("tillwatch_pg_wal_last_archived_age_seconds"))
                  .isBetween(0.0, 30.0);
            });
    double failed = primary("tillwatch_pg_wal_archive_failed_total");
    assertThat(
            Double.parseDouble(
                c.primary().queryString("SELECT failed_count FROM pg_stat_archiver")))
        .isEqualTo(failed);
  }
}
