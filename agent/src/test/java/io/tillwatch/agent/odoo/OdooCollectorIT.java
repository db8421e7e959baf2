package io.tillwatch.agent.odoo;

import static io.tillwatch.agent.TestAgents.value;
import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Odoo-shaped databases (16 and 17 styles, one without queue_job) on the real PostgreSQL, with jobs
 * in every state; every metric against a ground truth computed here, from the rows alone.
 */
class OdooCollectorIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private static final String STOCK = "root.stock_sync";
  private static final String SALE = "root.sale";
  private static final Duration STUCK_STARTED = Duration.ofMinutes(30);

  private Agent agent;

  @AfterEach
  void stopAgent() {
    TestAgents.stop(agent);
  }

  /** A queue_job row; times are minutes from now (negative: past), null when unset. */
  record Job(
      String channel,
      String state,
      Integer created,
      Integer enqueued,
      Integer started,
      Integer done,
      Integer eta,
      String method) {
    String uuid() {
      return UUID.nameUUIDFromBytes(
              (channel + state + created + enqueued + started + done + eta + method).getBytes())
          .toString();
    }
  }

  private static final List<Job> JOBS =
      List.of(
          new Job(STOCK, "pending", -10, null, null, null, null, "<product.product>.sync_stock"),
          new Job(STOCK, "pending", -20, null, null, null, null, "<product.product>.sync_stock"),
          new Job(
              STOCK,
              "pending",
              -30,
              null,
              null,
              null,
              60,
              "<product.product>.sync_stock"), // eta ahead
          new Job(
              STOCK,
              "pending",
              -60,
              null,
              null,
              null,
              -15,
              "<product.product>.sync_stock"), // due 15m ago
          new Job(STOCK, "enqueued", -3, -2, null, null, null, "<product.product>.sync_stock"),
          new Job(
              STOCK, "enqueued", -8, -7, null, null, null, "<product.product>.sync_stock"), // stuck
          new Job(
              STOCK, "started", -41, -41, -40, null, null, "<product.product>.sync_stock"), // stuck
          new Job(STOCK, "started", -2, -2, -1, null, null, "<product.product>.sync_stock"),
          new Job(STOCK, "failed", -50, -50, -50, null, null, "<product.product>.sync_stock"),
          new Job(STOCK, "failed", -55, -55, -55, null, null, "<product.product>.sync_stock"),
          new Job(STOCK, "failed", -56, -56, -56, null, null, "<stock.picking>.push"),
          new Job(STOCK, "done", -130, -130, -125, -120, null, "<product.product>.sync_stock"),
          new Job(STOCK, "done", -131, -131, -126, -121, null, "<product.product>.sync_stock"),
          new Job(STOCK, "cancelled", -90, null, null, null, null, "<product.product>.sync_stock"),
          new Job(
              STOCK,
              "wait_dependencies",
              -5,
              null,
              null,
              null,
              null,
              "<product.product>.sync_stock"),
          new Job(SALE, "pending", -1, null, null, null, null, "<sale.order>.confirm_remote"),
          new Job(SALE, "failed", -9, -9, -9, null, null, "<sale.order>.confirm_remote"),
          new Job(SALE, "done", -300, -300, -300, -299, null, "<sale.order>.confirm_remote"));

  private static Timestamp at(LocalDateTime now, Integer minutes) {
    return minutes == null ? null : Timestamp.valueOf(now.plusMinutes(minutes));
  }

  private static void insertJobs(PostgresServer pg, String db, List<Job> jobs, LocalDateTime now)
      throws Exception {
    try (Connection c = pg.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO queue_job (uuid, channel, state, date_created, date_enqueued, date_started,"
                    + " date_done, eta, channel_method_name, model_name, method_name, retry, max_retries)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 'y', 0, 5)")) {
      for (Job j : jobs) {
        ps.setString(1, j.uuid() + "-" + UUID.randomUUID());
        ps.setString(2, j.channel());
        ps.setString(3, j.state());
        ps.setTimestamp(4, at(now, j.created()));
        ps.setTimestamp(5, at(now, j.enqueued()));
        ps.setTimestamp(6, at(now, j.started()));
        ps.setTimestamp(7, at(now, j.done()));
        ps.setTimestamp(8, at(now, j.eta()));
        ps.setString(9, j.method());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void insertOrder(
      PostgresServer pg, String db, String table, String state, int minutes, Boolean locked)
      throws Exception {
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    String columns = locked == null ? "" : ", locked";
    try (Connection c = pg.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (name, state, date_order, company_id, amount_total"
                    + columns
                    + ")"
                    + " VALUES (?, ?, ?, 1, 10"
                    + (locked == null ? "" : ", ?")
                    + ")")) {
      ps.setString(1, "S" + UUID.randomUUID());
      ps.setString(2, state);
      ps.setTimestamp(3, Timestamp.valueOf(now.plusMinutes(minutes)));
      if (locked != null) {
        ps.setBoolean(4, locked);
      }
      ps.executeUpdate();
    }
  }

  // ground truth, from the rows alone
  private static long count(String channel, String state) {
    return JOBS.stream()
        .filter(j -> j.channel().equals(channel) && j.state().equals(state))
        .count();
  }

  private static double oldestSeconds(String channel, String state) {
    return JOBS.stream()
        .filter(j -> j.channel().equals(channel) && j.state().equals(state))
        .mapToDouble(
            j ->
                switch (state) {
                  case "pending" ->
                      j.eta() != null && j.eta() > 0
                          ? -1
                          : -Math.max(j.created(), j.eta() == null ? j.created() : j.eta()) * 60.0;
                  case "enqueued" -> -j.enqueued() * 60.0;
                  default -> -j.started() * 60.0;
                })
        .max()
        .orElse(0);
  }

  private static long stuck(String channel) {
    return JOBS.stream()
        .filter(j -> j.channel().equals(channel))
        .filter(
            j ->
                (j.state().equals("enqueued") && -j.enqueued() > 5)
                    || (j.state().equals("started") && -j.started() > STUCK_STARTED.toMinutes()))
        .count();
  }

  private static long failed(String channel, String method) {
    return JOBS.stream()
        .filter(
            j ->
                j.channel().equals(channel)
                    && j.state().equals("failed")
                    && j.method().equals(method))
        .count();
  }

  private static OdooTargetConfig odoo(String name, PostgresServer pg, String db) {
    return new OdooTargetConfig(
        name,
        pg.jdbcUrl(db),
        TestAgents.MONITOR,
        Secret.of(TestAgents.MONITOR_PASSWORD),
        STUCK_STARTED,
        Optional.empty());
  }

  @Test
  @Timeout(180)
  void everyMetricEqualsTheGroundTruth() throws Exception {
    PostgresServer pg = PG.cluster().primary();
    pg.createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    // a session time zone far from UTC must change nothing: Odoo's datetimes are UTC
    pg.execute("ALTER ROLE " + TestAgents.MONITOR + " SET timezone = 'Pacific/Kiritimati'");
    OdooDatabase.create(pg, "acme16", 16, TestAgents.MONITOR);
    OdooDatabase.create(pg, "acme17", 17, TestAgents.MONITOR);
    pg.execute("CREATE DATABASE plain");
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    insertJobs(pg, "acme16", JOBS, now);
    insertOrder(pg, "acme16", "sale_order", "sale", -5, null);
    insertOrder(pg, "acme16", "sale_order", "done", -180, null);
    insertOrder(pg, "acme16", "sale_order", "draft", -1, null);
    insertOrder(pg, "acme16", "sale_order", "cancel", -2, null);
    insertOrder(pg, "acme16", "pos_order", "paid", -2, null);
    insertOrder(pg, "acme16", "pos_order", "invoiced", -60, null);
    insertOrder(pg, "acme16", "pos_order", "draft", 0, null);
    insertOrder(pg, "acme17", "sale_order", "sale", -10, true);
    insertOrder(pg, "acme17", "sale_order", "sale", -4, false);
    insertOrder(pg, "acme17", "sale_order", "cancel", -1, null);

    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                odoo("odoo16", pg, "acme16"),
                odoo("odoo17", pg, "acme17"),
                odoo("plain", pg, "plain")));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (String t : List.of("odoo16", "odoo17", "plain")) {
                assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", t))
                    .as(t)
                    .isEqualTo(1);
              }
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_queue_jobs_done_total",
                          "target",
                          "odoo16",
                          "channel",
                          STOCK))
                  .isZero();
            });

    for (String ch : List.of(STOCK, SALE)) {
      for (String state : OdooCollector.STATES) {
        assertThat(
                valueOrNaN(
                    agent,
                    "tillwatch_odoo_queue_jobs",
                    "target",
                    "odoo16",
                    "channel",
                    ch,
                    "state",
                    state))
            .as("%s %s", ch, state)
            .isEqualTo(count(ch, state));
      }
      for (String state : OdooCollector.WAITING) {
        assertThat(
                valueOrNaN(
                    agent,
                    "tillwatch_odoo_queue_oldest_age_seconds",
                    "target",
                    "odoo16",
                    "channel",
                    ch,
                    "state",
                    state))
            .as("oldest %s %s", ch, state)
            .isCloseTo(oldestSeconds(ch, state), within(10.0));
      }
      assertThat(
              valueOrNaN(
                  agent, "tillwatch_odoo_queue_stuck_jobs", "target", "odoo16", "channel", ch))
          .isEqualTo(stuck(ch));
    }
    assertThat(stuck(STOCK)).isEqualTo(2);
    assertThat(oldestSeconds(STOCK, "pending"))
        .isEqualTo(1200); // not the 30 min job whose eta is ahead
    for (String method : List.of("<product.product>.sync_stock", "<stock.picking>.push")) {
      assertThat(
              valueOrNaN(
                  agent,
                  "tillwatch_odoo_queue_failed_jobs",
                  "target",
                  "odoo16",
                  "channel",
                  STOCK,
                  "job",
                  method))
          .isEqualTo(failed(STOCK, method));
    }
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_queue_failed_jobs",
                "channel",
                SALE,
                "job",
                "<sale.order>.confirm_remote"))
        .isEqualTo(1);
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_last_order_age_seconds",
                "target",
                "odoo16",
                "source",
                "sale"))
        .isCloseTo(300, within(10.0));
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_last_order_age_seconds",
                "target",
                "odoo16",
                "source",
                "pos"))
        .isCloseTo(120, within(10.0));
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_last_order_age_seconds",
                "target",
                "odoo17",
                "source",
                "sale"))
        .isCloseTo(240, within(10.0));
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_schema_info",
                "target",
                "odoo17",
                "queue_job",
                "present",
                "version",
                "17.0"))
        .isEqualTo(1);
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_odoo_schema_info",
                "target",
                "plain",
                "queue_job",
                "absent",
                "version",
                "unknown"))
        .isEqualTo(1);
    assertThat(value(agent.samples(), "tillwatch_odoo_orders_total", "target", "plain")).isEmpty();

    // after the agent started: jobs finish, orders come in (and drafts do not count)
    List<Job> finished = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      finished.add(new Job(STOCK, "done", -1, -1, -1, 0, null, "<product.product>.sync_stock"));
    }
    insertJobs(pg, "acme16", finished, LocalDateTime.now(ZoneOffset.UTC));
    insertOrder(pg, "acme16", "sale_order", "sale", 0, null);
    insertOrder(pg, "acme16", "sale_order", "sale", 0, null);
    insertOrder(pg, "acme16", "sale_order", "draft", 0, null);
    for (int i = 0; i < 3; i++) {
      insertOrder(pg, "acme16", "pos_order", "paid", 0, null);
    }
    insertOrder(pg, "acme17", "sale_order", "sale", 0, true);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_queue_jobs_done_total",
                          "target",
                          "odoo16",
                          "channel",
                          STOCK))
                  .isEqualTo(4);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_queue_jobs_done_total",
                          "target",
                          "odoo16",
                          "channel",
                          SALE))
                  .isZero();
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_orders_total",
                          "target",
                          "odoo16",
                          "source",
                          "sale"))
                  .isEqualTo(2);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_orders_total",
                          "target",
                          "odoo16",
                          "source",
                          "pos"))
                  .isEqualTo(3);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_orders_total",
                          "target",
                          "odoo17",
                          "source",
                          "sale"))
                  .isEqualTo(1);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_last_order_age_seconds",
                          "target",
                          "odoo16",
                          "source",
                          "sale"))
                  .isLessThan(10);
            });

    // Odoo's autovacuum deletes done jobs: the counter keeps its value, and counts on
    pg.executeIn("acme16", "DELETE FROM queue_job WHERE state = 'done'");
    insertJobs(
        pg,
        "acme16",
        List.of(new Job(STOCK, "done", -1, -1, -1, 0, null, "<x>.y")),
        LocalDateTime.now(ZoneOffset.UTC));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_queue_jobs_done_total",
                          "target",
                          "odoo16",
                          "channel",
                          STOCK))
                  .isEqualTo(5);
              assertThat(
                      valueOrNaN(
                          agent,
                          "tillwatch_odoo_queue_jobs",
                          "target",
                          "odoo16",
                          "channel",
                          STOCK,
                          "state",
                          "done"))
                  .isEqualTo(1);
            });
  }
}
