package io.tillwatch.agent.backup;

import static io.tillwatch.agent.TestAgents.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.model.Sample;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupParsersTest {
  private static final double NOW = 1_795_750_000; // 2026-11-22 ~ 01:26 UTC

  private static String fixture(String name) throws Exception {
    try (InputStream in = BackupParsersTest.class.getResourceAsStream("/fixtures/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void pgBackRestFreshnessPerTypeWithFullAndDiffCountingDownwards() throws Exception {
    List<Sample> s =
        PgBackRestInfo.samples(fixture("pgbackrest/info-two-stanzas.json"), "main", NOW);
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "type", "full"))
        .hasValue(1795572600);
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "type", "diff"))
        .hasValue(1795658460);
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "type", "incr"))
        .hasValue(1795744830);
    assertThat(value(s, "tillwatch_backup_age_seconds", "type", "incr")).hasValue(NOW - 1795744830);
    assertThat(value(s, "tillwatch_backup_last_duration_seconds", "type", "full")).hasValue(600);
    assertThat(value(s, "tillwatch_backup_last_size_bytes", "type", "diff")).hasValue(24500000);
    assertThat(value(s, "tillwatch_backup_repo_size_bytes", "stanza", "main")).hasValue(3120000);
    assertThat(value(s, "tillwatch_backup_status_code", "stanza", "main")).hasValue(0);
    assertThat(value(s, "tillwatch_backup_running", "stanza", "main")).hasValue(1);
    assertThat(value(s, "tillwatch_backup_checksum_errors", "stanza", "main")).hasValue(1);
    assertThat(value(s, "tillwatch_backup_wal_archive_known", "stanza", "main")).hasValue(1);
    assertThat(s).noneMatch(x -> "other".equals(x.labels().get("stanza")));
  }

  @Test
  void pgBackRestStanzaWithoutBackups() throws Exception {
    List<Sample> s = PgBackRestInfo.samples(fixture("pgbackrest/info-two-stanzas.json"), null, NOW);
    assertThat(value(s, "tillwatch_backup_status_code", "stanza", "other")).hasValue(2);
    assertThat(value(s, "tillwatch_backup_wal_archive_known", "stanza", "other")).hasValue(0);
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "stanza", "other"))
        .isEmpty();
    assertThat(value(s, "tillwatch_backup_count", "stanza", "other", "type", "full")).hasValue(0);
  }

  @Test
  void walgFullAndDeltaBackups() throws Exception {
    List<Sample> s = WalgBackupList.samples(fixture("walg/backup-list-detail.json"), NOW);
    double fullEnd = java.time.Instant.parse("2026-11-20T02:10:00Z").getEpochSecond();
    double deltaEnd = java.time.Instant.parse("2026-11-21T02:01:00Z").getEpochSecond();
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "type", "full"))
        .hasValue(fullEnd);
    assertThat(value(s, "tillwatch_backup_last_success_timestamp_seconds", "type", "incr"))
        .hasValue(deltaEnd);
    assertThat(value(s, "tillwatch_backup_last_duration_seconds", "type", "incr")).hasValue(60);
    assertThat(value(s, "tillwatch_backup_last_size_bytes", "type", "full")).hasValue(50000000);
    assertThat(value(s, "tillwatch_backup_repo_size_bytes")).hasValue(9700000);
    assertThat(value(s, "tillwatch_backup_count", "type", "incr")).hasValue(1);
    assertThat(WalgBackupList.samples("null", NOW))
        .extracting(x -> x.metric().name())
        .doesNotContain("tillwatch_backup_last_success_timestamp_seconds");
  }

  @Test
  void statusFileOfAScheduledJob() throws Exception {
    List<Sample> s = BackupStatusFile.samples(fixture("backup_status/nightly-dump.json"), NOW);
    assertThat(
            value(
                s,
                "tillwatch_backup_last_success_timestamp_seconds",
                "job",
                "nightly-dump",
                "type",
                "full"))
        .hasValue(1795744800);
    assertThat(value(s, "tillwatch_backup_age_seconds", "job", "nightly-dump"))
        .hasValue(NOW - 1795744800);
    assertThat(value(s, "tillwatch_backup_last_exit_code", "job", "nightly-dump")).hasValue(3);
    assertThat(value(s, "tillwatch_backup_last_run_timestamp_seconds")).hasValue(1795831200);
  }

  @Test
  void aRestoreDrillIsReadFromTheStatusFile() {
    List<Sample> good =
        BackupStatusFile.samples(
            "{\"job\": \"drill\", \"restore_test\": {\"time\": 1795700000, \"backup\":"
                + " \"20261201-010000F\", \"duration_seconds\": 1420, \"outcome\": \"success\"}}",
            NOW);
    assertThat(
            value(
                good,
                "tillwatch_backup_restore_test_last_success_timestamp_seconds",
                "job",
                "drill"))
        .hasValue(1795700000);
    assertThat(value(good, "tillwatch_backup_restore_duration_seconds")).hasValue(1420);
    assertThat(value(good, "tillwatch_backup_restore_test_success")).hasValue(1);
    assertThat(value(good, "tillwatch_backup_restore_test_last_run_timestamp_seconds"))
        .hasValue(1795700000);
    // no backup figures in a drill-only file
    assertThat(value(good, "tillwatch_backup_age_seconds")).isEmpty();
    // a failed drill: the newest good one is what the job kept
    List<Sample> failed =
        BackupStatusFile.samples(
            "{\"job\": \"drill\", \"restore_test\": {\"time\": 1795800000, \"outcome\":"
                + " \"failure\", \"last_success\": 1795700000,"
                + " \"last_success_duration_seconds\": 1420}}",
            NOW);
    assertThat(value(failed, "tillwatch_backup_restore_test_success")).hasValue(0);
    assertThat(value(failed, "tillwatch_backup_restore_test_last_run_timestamp_seconds"))
        .hasValue(1795800000);
    assertThat(value(failed, "tillwatch_backup_restore_test_last_success_timestamp_seconds"))
        .hasValue(1795700000);
    // a drill that never succeeded: no last success at all
    assertThat(
            value(
                BackupStatusFile.samples(
                    "{\"job\": \"d\", \"restore_test\": {\"time\": 1, \"outcome\": \"failure\"}}",
                    NOW),
                "tillwatch_backup_restore_test_last_success_timestamp_seconds"))
        .isEmpty();
    assertThatThrownBy(
            () ->
                BackupStatusFile.samples(
                    "{\"job\": \"d\", \"restore_test\": {\"time\": 1, \"outcome\": \"ok\"}}", NOW))
        .hasMessageContaining("restore_test.outcome");
  }

  @Test
  void verifyReadsPgBackRestsSummaryNotItsExitCode() {
    // pgBackRest 2.45's "verify --output=text --verbose" of a healthy repository, and after a
    // backup file was damaged (exit 0 both times: "completed successfully")
    String healthy =
        """
        stanza: main
        status: ok
          archiveId: 15-1, total WAL checked: 4, total valid WAL: 4
            missing: 0, checksum invalid: 0, size invalid: 0, other: 0
          backup: 20261202-055155F, status: valid, total files checked: 964, total valid files: 964
            missing: 0, checksum invalid: 0, size invalid: 0, other: 0
        """;
    assertThat(PgBackRestVerify.read(healthy)).isEqualTo(new PgBackRestVerify.Outcome(true, 0));
    String damaged =
        healthy
            .replace("status: ok", "status: error")
            .replace(
                "status: valid, total files checked: 964, total valid files: 964",
                "status: invalid, total files checked: 964, total valid files: 963")
            .replace(
                "total WAL checked: 4, total valid WAL: 4",
                "total WAL checked: 4, total valid WAL: 3");
    assertThat(PgBackRestVerify.read(damaged)).isEqualTo(new PgBackRestVerify.Outcome(false, 2));
    assertThatThrownBy(() -> PgBackRestVerify.read("verify command end: completed successfully"))
        .hasMessageContaining("--output=text");
  }

  @Test
  void malformedOutputSaysWhere() {
    assertThatThrownBy(() -> PgBackRestInfo.samples("[{\"name\": \"main\",", null, NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed JSON at line 1");
    assertThatThrownBy(() -> PgBackRestInfo.samples("{}", null, NOW))
        .hasMessageContaining("expected a JSON array");
    assertThatThrownBy(() -> BackupStatusFile.samples("{\"last_run\": 1}", NOW))
        .hasMessageContaining("\"job\"");
    assertThatThrownBy(
            () ->
                WalgBackupList.samples(
                    "[{\"backup_name\":\"x\",\"finish_time\":\"yesterday\"}]", NOW))
        .hasMessageContaining("finish_time");
  }
}
