package io.tillwatch.collector.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The schema, versioned in {@code tillwatch_schema_version}: each step runs once, in a transaction,
 * under an advisory lock so that two collectors starting together do not race.
 */
final class Migrations {
  /** The newest schema version. */
  static final int LATEST = 9;

  private static final long LOCK = 0x74696c6c77617463L; // "tillwatc"

  private Migrations() {}

  /** Brings the schema up to {@link #LATEST}; the versions applied now. */
  static int migrate(Connection c, SampleLayout layout, Duration retention) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, LOCK);
        lock.execute();
      }
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS tillwatch_schema_version ("
                + " version integer PRIMARY KEY,"
                + " layout text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())");
      }
      int current = 0;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT coalesce(max(version), 0) FROM tillwatch_schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
      int applied = 0;
      for (int v = current + 1; v <= LATEST; v++) {
        step(c, v, layout, retention);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO tillwatch_schema_version (version, layout) VALUES (?, ?)")) {
          ps.setInt(1, v);
          ps.setString(2, layout.name());
          ps.executeUpdate();
        }
        applied++;
      }
      c.commit();
      return applied;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** The layout a database was created with ({@code plain} or {@code timescaledb}), if any. */
  static String layoutOf(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT to_regclass('tillwatch_schema_version') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return null;
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT layout FROM tillwatch_schema_version ORDER BY version LIMIT 1")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void step(Connection c, int version, SampleLayout layout, Duration retention)
      throws SQLException {
    switch (version) {
      case 1 -> {
        try (Statement s = c.createStatement()) {
          s.execute(
              "CREATE TABLE series ("
                  + " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                  + " metric text NOT NULL,"
                  + " tenant text NOT NULL,"
                  + " labels jsonb NOT NULL,"
                  + " key text NOT NULL UNIQUE,"
                  + " created_at timestamptz NOT NULL DEFAULT now())");
          s.execute("CREATE INDEX series_tenant_metric ON series (tenant, metric)");
          s.execute("CREATE INDEX series_labels ON series USING gin (labels jsonb_path_ops)");
        }
        layout.create(c, retention);
      }
      case 2 -> {
        try (Statement s = c.createStatement()) {
          // alert state, so that a restarted collector keeps firing alerts firing
          s.execute(
              "CREATE TABLE alert_state ("
                  + " rule_group text NOT NULL,"
                  + " alertname text NOT NULL,"
                  + " labels jsonb NOT NULL,"
                  + " annotations jsonb NOT NULL,"
                  + " state text NOT NULL,"
                  + " active_at bigint NOT NULL,"
                  + " fired_at bigint NOT NULL,"
                  + " resolved_at bigint NOT NULL,"
                  + " keep_firing_since bigint NOT NULL,"
                  + " value double precision NOT NULL,"
                  + " last_sent_at bigint NOT NULL)");
          s.execute("CREATE INDEX alert_state_rule ON alert_state (rule_group, alertname)");
        }
      }
      case 3 -> {
        try (Statement s = c.createStatement()) {
          // compressed chunks of samples (XOR-encoded, as the head's), made from sealed days
          s.execute(
              "CREATE TABLE sample_chunks ("
                  + " series_id bigint NOT NULL,"
                  + " min_time timestamptz NOT NULL,"
                  + " max_time timestamptz NOT NULL,"
                  + " samples integer NOT NULL,"
                  + " data bytea NOT NULL)");
          s.execute(
              "CREATE INDEX sample_chunks_series_time ON sample_chunks (series_id, max_time)"
                  + " INCLUDE (min_time)");
          s.execute("CREATE INDEX sample_chunks_max_time ON sample_chunks (max_time)");
          // already compressed: PostgreSQL's own compression would only spend CPU
          s.execute("ALTER TABLE sample_chunks ALTER COLUMN data SET STORAGE EXTERNAL");
        }
      }
      case 4 -> {
        try (Statement s = c.createStatement()) {
          // SLO rollups: good and total (events or slices) per tenant, SLO and local day, kept
          // 400 days whatever the samples' retention; the variant tells apart a built-in SLO
          // and a file's SLO of the same name that takes some tenants over
          s.execute(
              "CREATE TABLE slo_daily ("
                  + " slo text NOT NULL,"
                  + " variant text NOT NULL,"
                  + " tenant text NOT NULL,"
                  + " day date NOT NULL,"
                  + " good double precision NOT NULL,"
                  + " total double precision NOT NULL,"
                  + " updated_at timestamptz NOT NULL DEFAULT now(),"
                  + " PRIMARY KEY (variant, tenant, day))");
          s.execute("CREATE INDEX slo_daily_tenant ON slo_daily (tenant, slo, day)");
          // how far each SLO's rollups are counted
          s.execute(
              "CREATE TABLE slo_progress ("
                  + " variant text PRIMARY KEY,"
                  + " through timestamptz NOT NULL,"
                  + " definition text NOT NULL)");
        }
      }
      case 5 -> {
        try (Statement s = c.createStatement()) {
          // one row per weekly report (a tenant's or the estate's) and ISO week: claimed with a
          // row lock while it is sent, so that replicas and restarts send it exactly once
          s.execute(
              "CREATE TABLE report_sends ("
                  + " report text NOT NULL,"
                  + " week text NOT NULL,"
                  + " due_at timestamptz NOT NULL,"
                  + " sent_at timestamptz,"
                  + " message_id text,"
                  + " sent_by text,"
                  + " attempts integer NOT NULL DEFAULT 0,"
                  + " next_attempt_at timestamptz NOT NULL,"
                  + " last_reason text,"
                  + " last_error text,"
                  + " PRIMARY KEY (report, week))");
          s.execute(
              "CREATE INDEX report_sends_unsent ON report_sends (due_at) WHERE sent_at IS NULL");
        }
      }
      case 6 -> {
        try (Statement s = c.createStatement()) {
          // a series is found by the SHA-256 of its key: a btree entry of fixed size, where the
          // key itself (up to 30 labels of 2,048 characters) can pass the index row limit and
          // fail the whole transaction it is written in
          s.execute("ALTER TABLE series ADD COLUMN key_hash bytea");
          s.execute("UPDATE series SET key_hash = sha256(convert_to(key, 'UTF8'))");
          s.execute("ALTER TABLE series ALTER COLUMN key_hash SET NOT NULL");
          s.execute("CREATE UNIQUE INDEX series_key_hash ON series (key_hash)");
          s.execute("ALTER TABLE series DROP CONSTRAINT series_key_key");
        }
      }
      case 7 -> {
        try (Statement s = c.createStatement()) {
          // the senders' ids of committed requests, written with their samples: a retry of a
          // request whose answer was lost is acknowledged, not stored twice
          s.execute(
              "CREATE TABLE ingest_batches ("
                  + " id text PRIMARY KEY,"
                  + " committed_at timestamptz NOT NULL DEFAULT now())");
          s.execute("CREATE INDEX ingest_batches_committed ON ingest_batches (committed_at)");
        }
      }
      case 8 -> {
        try (Statement s = c.createStatement()) {
          // collector replicas on one database: who is alive, and who evaluates which tenants
          s.execute(
              "CREATE TABLE cluster_replicas ("
                  + " replica text PRIMARY KEY,"
                  + " address text NOT NULL,"
                  + " started_at bigint NOT NULL,"
                  + " heartbeat_at bigint NOT NULL)");
          s.execute(
              "CREATE TABLE tenant_shard_leases ("
                  + " shard integer PRIMARY KEY,"
                  + " holder text NOT NULL,"
                  + " expires_at bigint NOT NULL,"
                  + " taken_at bigint NOT NULL)");
          s.execute("CREATE INDEX alert_state_tenant ON alert_state ((labels ->> 'tenant'))");
        }
      }
      case 9 -> {
        try (Statement s = c.createStatement()) {
          // what happened to a tenant's estate (releases, maintenance, incidents, notes), and the
          // release guard's verdict on each release
          s.execute(
              "CREATE TABLE events ("
                  + " id bigserial PRIMARY KEY,"
                  + " tenant text NOT NULL,"
                  + " type text NOT NULL,"
                  + " service text NOT NULL DEFAULT '',"
                  + " version text NOT NULL DEFAULT '',"
                  + " at timestamptz NOT NULL,"
                  + " ends_at timestamptz,"
                  + " text text NOT NULL DEFAULT '',"
                  + " verdict_healthy boolean,"
                  + " verdict_text text,"
                  + " verdict_at timestamptz,"
                  + " created_at timestamptz NOT NULL DEFAULT now())");
          s.execute("CREATE INDEX events_at ON events (at)");
          s.execute("CREATE INDEX events_tenant_at ON events (tenant, at)");
          s.execute(
              "CREATE INDEX events_deploys_undecided ON events (at)"
                  + " WHERE type = 'deploy' AND verdict_at IS NULL");
        }
      }
      default -> throw new IllegalStateException("no migration step " + version);
    }
  }
}
