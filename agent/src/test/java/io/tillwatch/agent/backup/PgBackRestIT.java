package io.tillwatch.agent.backup;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.BackupTargetConfig.Tool;
import io.tillwatch.sandbox.PgBackRestStanza;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real pgBackRest on the sandbox primary: a stanza, a full and an incremental backup. */
class PgBackRestIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private Agent agent;
  private PgBackRestStanza stanza;

  @AfterEach
  void cleanUp() {
    TestAgents.stop(agent);
    if (stanza != null) {
      stanza.close();
    }
  }

  private static BackupTargetConfig pgbackrest(String name, String... command) {
    return new BackupTargetConfig(
        name,
        Tool.PGBACKREST,
        List.of(command),
        Optional.empty(),
        Optional.of("main"),
        Optional.empty());
  }

  private double metric(String name, String type) {
    return valueOrNaN(agent, name, "target", "repo", "type", type);
  }

  /** The newest backup of exactly this type, as pgBackRest itself reports it. */
  private JsonNode newest(JsonNode info, String type) {
    JsonNode found = null;
    for (JsonNode b : info.get(0).get("backup")) {
      if (b.get("type").asText().equals(type)) {
        found = b;
      }
    }
    return found;
  }

  @Test
  @Timeout(300)
  void metricsEqualWhatPgBackRestInfoSays() throws Exception {
    stanza = PgBackRestStanza.create(PG.cluster().primary(), "main");
    String config = "--config=" + stanza.config();
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                pgbackrest("repo", "pgbackrest", config, "--stanza=main", "--output=json", "info"),
                pgbackrest("missing-tool", "/nonexistent/pgbackrest", "info"),
                pgbackrest(
                    "bad-config",
                    "pgbackrest",
                    "--config=/nonexistent.conf",
                    "--stanza=main",
                    "--output=json",
                    "info")));

    // a stanza without backups: status 2, no freshness
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(valueOrNaN(agent, "tillwatch_backup_status_code", "target", "repo"))
                  .isEqualTo(2);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_target_last_error_info",
                          "target",
                          "missing-tool",
                          "reason",
                          "command"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_target_last_error_info",
                          "target",
                          "bad-config",
                          "reason",
                          "command"))
                  .isEqualTo(1);
            });
    assertThat(metric("tillwatch_backup_last_success_timestamp_seconds", "full")).isNaN();
    assertThat(metric("tillwatch_backup_count", "full")).isZero();

    stanza.backup("full");
    PG.cluster().writeWal(500_000);
    stanza.backup("incr");
    JsonNode info = new ObjectMapper().readTree(stanza.run("info", "--output=json"));
    JsonNode full = newest(info, "full");
    JsonNode incr = newest(info, "incr");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(metric("tillwatch_backup_last_success_timestamp_seconds", "incr"))
                    .isEqualTo(incr.get("timestamp").get("stop").asDouble()));
    double fullStop = full.get("timestamp").get("stop").asDouble();
    assertThat(valueOrNaN(agent, "tillwatch_backup_status_code", "target", "repo")).isZero();
    assertThat(metric("tillwatch_backup_last_success_timestamp_seconds", "full"))
        .isEqualTo(fullStop);
    assertThat(metric("tillwatch_backup_last_success_timestamp_seconds", "diff"))
        .as("a full counts as the newest diff")
        .isEqualTo(fullStop);
    assertThat(metric("tillwatch_backup_last_duration_seconds", "full"))
        .isEqualTo(fullStop - full.get("timestamp").get("start").asDouble());
    assertThat(metric("tillwatch_backup_last_size_bytes", "full"))
        .isEqualTo(full.get("info").get("size").asDouble());
    assertThat(metric("tillwatch_backup_last_size_bytes", "incr"))
        .isEqualTo(incr.get("info").get("size").asDouble());
    assertThat(metric("tillwatch_backup_age_seconds", "incr")).isBetween(0.0, 120.0);
    assertThat(metric("tillwatch_backup_count", "full")).isEqualTo(1);
    assertThat(metric("tillwatch_backup_count", "incr")).isEqualTo(1);
    double repo = 0;
    for (JsonNode b : info.get(0).get("backup")) {
      repo += b.get("info").get("repository").get("delta").asDouble();
    }
    assertThat(valueOrNaN(agent, "tillwatch_backup_repo_size_bytes", "target", "repo"))
        .isEqualTo(repo);
    assertThat(valueOrNaN(agent, "tillwatch_backup_wal_archive_known", "target", "repo"))
        .isEqualTo(1);
    assertThat(valueOrNaN(agent, "tillwatch_backup_running", "target", "repo")).isZero();
    assertThat(valueOrNaN(agent, "tillwatch_backup_checksum_errors", "target", "repo")).isZero();
  }

  @Test
  @Timeout(300)
  void verifyRunsInTheBackgroundAndReportsADamagedRepository() throws Exception {
    stanza = PgBackRestStanza.create(PG.cluster().primary(), "main");
    stanza.backup("full");
    String config = "--config=" + stanza.config();
    BackupTargetConfig verified =
        new BackupTargetConfig(
            "repo",
            Tool.PGBACKREST,
            List.of("pgbackrest", config, "--stanza=main", "--output=json", "info"),
            Optional.empty(),
            Optional.of("main"),
            Optional.empty(),
            Optional.of(
                new BackupTargetConfig.Verify(
                    List.of(
                        "pgbackrest",
                        config,
                        "--stanza=main",
                        "--output=text",
                        "--verbose",
                        "verify"),
                    Duration.ofSeconds(2),
                    Duration.ofMinutes(2))));
    agent =
        TestAgents.started(
            TestAgents.estate(Duration.ofSeconds(1), Duration.ofSeconds(1), verified));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(valueOrNaN(agent, "tillwatch_backup_verify_success", "target", "repo"))
                    .isEqualTo(1));
    double good =
        valueOrNaN(
            agent, "tillwatch_backup_verify_last_success_timestamp_seconds", "target", "repo");
    assertThat(good)
        .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(60.0));
    // a file of the backup damaged in the repository: the next verify says so, the last good one
    // stays what it was
    Path damaged;
    try (var files = java.nio.file.Files.walk(stanza.repository().resolve("backup"))) {
      damaged =
          files
              .filter(f -> f.getFileName().toString().equals("PG_VERSION"))
              .findFirst()
              .orElseThrow();
    }
    java.nio.file.Files.writeString(damaged, "99\n");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(valueOrNaN(agent, "tillwatch_backup_verify_success", "target", "repo"))
                    .isEqualTo(0));
    assertThat(
            valueOrNaN(
                agent, "tillwatch_backup_verify_last_success_timestamp_seconds", "target", "repo"))
        .isLessThanOrEqualTo(good + 10);
    // the scrape itself goes on
    assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "repo")).isEqualTo(1);
  }
}
