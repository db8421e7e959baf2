package io.tillwatch.agent.backup;

import io.tillwatch.model.Metric;

/** Every metric of the backup collectors (pgBackRest, WAL-G, status files): one vocabulary. */
public final class BackupMetrics {
  private BackupMetrics() {}

  public static final Metric LAST_SUCCESS =
      Metric.gauge(
          "tillwatch_backup_last_success_timestamp_seconds",
          "Unix time the newest successful backup of this type ended (a full also counts as a diff"
              + " and incr, a diff as an incr).");
  public static final Metric AGE =
      Metric.gauge(
          "tillwatch_backup_age_seconds",
          "Seconds since the newest successful backup of this type ended. Alert when older than"
              + " the schedule allows: a restore would lose more than promised.");
  public static final Metric LAST_DURATION =
      Metric.gauge(
          "tillwatch_backup_last_duration_seconds", "Seconds the newest backup of this type took.");
  public static final Metric LAST_SIZE =
      Metric.gauge(
          "tillwatch_backup_last_size_bytes",
          "Database size covered by the newest backup of this type (uncompressed).");
  public static final Metric REPO_SIZE =
      Metric.gauge(
          "tillwatch_backup_repo_size_bytes",
          "Bytes the backups take in the repository (sum over the backups it holds).");
  public static final Metric COUNT =
      Metric.gauge("tillwatch_backup_count", "Backups of this type in the repository.");
  public static final Metric STATUS_CODE =
      Metric.gauge(
          "tillwatch_backup_status_code",
          "pgBackRest stanza status: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing"
              + " stanza data, 4 different across repos, 5 database mismatch, 6 backup not found,"
              + " 99 other.");
  public static final Metric RUNNING =
      Metric.gauge("tillwatch_backup_running", "1 while a backup holds the stanza's backup lock.");
  public static final Metric CHECKSUM_ERRORS =
      Metric.gauge(
          "tillwatch_backup_checksum_errors",
          "Backups in the repository that found page checksum errors (pgBackRest's error flag).");
  public static final Metric WAL_ARCHIVE_KNOWN =
      Metric.gauge(
          "tillwatch_backup_wal_archive_known",
          "1 if the repository knows a WAL archive range (min and max): point-in-time recovery is"
              + " possible.");
  public static final Metric LAST_EXIT_CODE =
      Metric.gauge(
          "tillwatch_backup_last_exit_code",
          "Exit code of the backup job's last run (status file); non-zero is a failed run.");
  public static final Metric LAST_RUN =
      Metric.gauge(
          "tillwatch_backup_last_run_timestamp_seconds",
          "Unix time the backup job last ran, successful or not (status file).");
  public static final Metric RESTORE_TEST_LAST_SUCCESS =
      Metric.gauge(
          "tillwatch_backup_restore_test_last_success_timestamp_seconds",
          "Unix time of the newest restore drill that succeeded (a backup restored and checked)."
              + " Alert when older than the tier's policy (30 days): nobody knows the backups"
              + " restore.");
  public static final Metric RESTORE_DURATION =
      Metric.gauge(
          "tillwatch_backup_restore_duration_seconds",
          "Seconds the newest successful restore drill took: what a real restore would take,"
              + " against the tier's recovery time objective.");
  public static final Metric RESTORE_TEST_LAST_RUN =
      Metric.gauge(
          "tillwatch_backup_restore_test_last_run_timestamp_seconds",
          "Unix time of the newest restore drill, successful or not.");
  public static final Metric RESTORE_TEST_SUCCESS =
      Metric.gauge(
          "tillwatch_backup_restore_test_success",
          "1 when the newest restore drill succeeded, 0 when it failed.");
  public static final Metric VERIFY_LAST_RUN =
      Metric.gauge(
          "tillwatch_backup_verify_last_run_timestamp_seconds",
          "Unix time the newest pgbackrest verify of the repository started (verify_every).");
  public static final Metric VERIFY_SUCCESS =
      Metric.gauge(
          "tillwatch_backup_verify_success",
          "1 when the newest pgbackrest verify found every backup and WAL file intact, 0 when it"
              + " did not (or could not run).");
  public static final Metric VERIFY_LAST_SUCCESS =
      Metric.gauge(
          "tillwatch_backup_verify_last_success_timestamp_seconds",
          "Unix time the newest successful pgbackrest verify ended.");
  public static final Metric VERIFY_DURATION =
      Metric.gauge(
          "tillwatch_backup_verify_duration_seconds", "Seconds the newest pgbackrest verify took.");
  public static final Metric VERIFY_INVALID_FILES =
      Metric.gauge(
          "tillwatch_backup_verify_invalid_files",
          "Backup files and WAL segments the newest pgbackrest verify found damaged or missing.");
}
