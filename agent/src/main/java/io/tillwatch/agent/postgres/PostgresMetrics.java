package io.tillwatch.agent.postgres;

import io.tillwatch.model.Metric;

/** Every metric of the PostgreSQL collector. */
public final class PostgresMetrics {
  private PostgresMetrics() {}

  public static final Metric IN_RECOVERY =
      Metric.gauge(
          "tillwatch_pg_in_recovery",
          "1 if the server is a standby (in recovery), 0 if a primary.");
  public static final Metric WAL_POSITION =
      Metric.gauge(
          "tillwatch_pg_wal_position_bytes",
          "WAL position in bytes: current LSN on a primary, last received LSN on a standby.");

  // primary, per standby
  public static final Metric REPLICATION_LAG_BYTES =
      Metric.gauge(
          "tillwatch_pg_replication_lag_bytes",
          "Bytes of WAL the standby has not replayed yet (primary's current LSN minus its replay LSN).");
  public static final Metric REPLICATION_SEND_LAG_BYTES =
      Metric.gauge(
          "tillwatch_pg_replication_send_lag_bytes",
          "Bytes of WAL not yet sent to the standby (current LSN minus sent LSN).");
  public static final Metric REPLICATION_WRITE_LAG =
      Metric.gauge(
          "tillwatch_pg_replication_write_lag_seconds",
          "Seconds until recent WAL was written by the standby (write_lag; 0 when caught up).");
  public static final Metric REPLICATION_FLUSH_LAG =
      Metric.gauge(
          "tillwatch_pg_replication_flush_lag_seconds",
          "Seconds until recent WAL was flushed by the standby (flush_lag; 0 when caught up).");
  public static final Metric REPLICATION_REPLAY_LAG =
      Metric.gauge(
          "tillwatch_pg_replication_replay_lag_seconds",
          "Seconds until recent WAL was replayed by the standby (replay_lag; 0 when caught up).");
  public static final Metric REPLICATION_STREAMING =
      Metric.gauge(
          "tillwatch_pg_replication_streaming",
          "1 if the standby's WAL sender is in state streaming, 0 otherwise (startup, catchup, stopping).");
  public static final Metric REPLICATION_SYNC =
      Metric.gauge(
          "tillwatch_pg_replication_synchronous",
          "1 if the standby is synchronous (sync_state sync or quorum), 0 if async or potential.");
  public static final Metric CONNECTED_STANDBYS =
      Metric.gauge(
          "tillwatch_pg_connected_standbys",
          "Standbys connected to this primary through a WAL sender (pg_stat_replication rows).");

  // slots
  public static final Metric SLOT_ACTIVE =
      Metric.gauge(
          "tillwatch_pg_replication_slot_active",
          "1 if a consumer is connected to the replication slot. An inactive slot retains WAL forever.");
  public static final Metric SLOT_RETAINED_BYTES =
      Metric.gauge(
          "tillwatch_pg_replication_slot_retained_bytes",
          "Bytes of WAL the slot keeps on disk (current LSN minus restart_lsn).");
  public static final Metric SLOT_SAFE_WAL_SIZE =
      Metric.gauge(
          "tillwatch_pg_replication_slot_safe_wal_size_bytes",
          "Bytes that can still be written before the slot loses WAL (max_slot_wal_keep_size).");
  public static final Metric SLOT_LOST =
      Metric.gauge(
          "tillwatch_pg_replication_slot_wal_lost",
          "1 if the slot's wal_status is lost: its standby can no longer catch up.");

  // standby
  public static final Metric STANDBY_STREAM_UP =
      Metric.gauge(
          "tillwatch_pg_standby_stream_up",
          "1 if the standby receives WAL: its WAL receiver streams and its received LSN keeps up with"
              + " its primary. 0 is a broken stream, even when lag looks like zero.");
  public static final Metric STANDBY_REPLAY_DELAY =
      Metric.gauge(
          "tillwatch_pg_standby_replay_delay_seconds",
          "Seconds the standby's data is behind its primary; 0 on an idle, caught-up standby."
              + " From the heartbeat when enabled, else from replay timestamps.");
  public static final Metric STANDBY_RECEIVE_REPLAY_BYTES =
      Metric.gauge(
          "tillwatch_pg_standby_replay_backlog_bytes",
          "Bytes received by the standby but not yet replayed.");
  public static final Metric STANDBY_REPLAY_PAUSED =
      Metric.gauge(
          "tillwatch_pg_standby_replay_paused", "1 if WAL replay is paused on the standby.");
  public static final Metric STANDBY_LAST_MESSAGE_AGE =
      Metric.gauge(
          "tillwatch_pg_standby_last_message_age_seconds",
          "Seconds since the WAL receiver last heard from its primary (absent when not connected).");
  public static final Metric STANDBY_HEARTBEAT_KNOWN =
      Metric.gauge(
          "tillwatch_pg_standby_heartbeat_used",
          "1 if the replay delay comes from the heartbeat row, 0 if from replay timestamps.");

  // WAL archiving
  public static final Metric WAL_ARCHIVED =
      Metric.counter(
          "tillwatch_pg_wal_archived_total", "WAL files archived successfully (pg_stat_archiver).");
  public static final Metric WAL_ARCHIVE_FAILED =
      Metric.counter(
          "tillwatch_pg_wal_archive_failed_total",
          "Failed attempts to archive WAL files (pg_stat_archiver). Alert when it increases.");
  public static final Metric WAL_LAST_ARCHIVED_AGE =
      Metric.gauge(
          "tillwatch_pg_wal_last_archived_age_seconds",
          "Seconds since the last WAL file was archived; absent when none ever was.");
  public static final Metric WAL_ARCHIVING_ENABLED =
      Metric.gauge("tillwatch_pg_wal_archiving_enabled", "1 if archive_mode is on or always.");
}
