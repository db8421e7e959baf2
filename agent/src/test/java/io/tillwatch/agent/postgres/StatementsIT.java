package io.tillwatch.agent.postgres;

import static io.tillwatch.agent.TestAgents.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.GroupEvaluator;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.PostgresExtension;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pg_stat_statements of a real PostgreSQL (loaded through shared_preload_libraries, installed in
 * the tenant's database): calls and execution time as the database counts them, the top statements
 * bounded to 10 and without literals, and {@code DatabaseStatementsSlow} on the figures of a
 * workload whose statements turn slow.
 */
class StatementsIT {
  @RegisterExtension
  static final PostgresExtension PG =
      new PostgresExtension(List.of("shared_preload_libraries=pg_stat_statements"));

  private Agent agent;

  @AfterEach
  void stop() {
    TestAgents.stop(agent);
  }

  /** The database's own sums: calls and seconds. */
  private static double[] sums(Connection c) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT sum(calls), sum(total_exec_time) / 1000 FROM pg_stat_statements"
                    + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'shop')")) {
      rs.next();
      return new double[] {rs.getDouble(1), rs.getDouble(2)};
    }
  }

  private double metric(String name) {
    return value(agent.samples(), name, "target", "shop-db").orElse(Double.NaN);
  }

  @Test
  @Timeout(180)
  void statementsAreCountedTheTopTenShownAndASlowdownAlerts() throws Exception {
    PG.createDatabase("shop");
    PG.server().executeIn("shop", "CREATE EXTENSION pg_stat_statements");
    PG.server().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    try (Connection c = PG.server().connect("shop");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE orders (id int PRIMARY KEY, customer text, total numeric)");
      st.execute(
          "INSERT INTO orders SELECT g, 'customer ' || g, g * 1.5 FROM generate_series(1, 2000) g");
      // fifteen kinds of statement, one with a customer's name in it
      for (int round = 0; round < 20; round++) {
        for (int k = 0; k < 15; k++) {
          st.execute(
              "SELECT count(*) FROM orders WHERE id > "
                  + (k * 100)
                  + " AND id % "
                  + (k + 2)
                  + " = 0 AND "
                  + k
                  + " = "
                  + k);
        }
        st.execute("SELECT total FROM orders WHERE customer = 'Jane Doe secret'");
      }
    }
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                TestAgents.postgres(
                    "shop-db",
                    PG.server().jdbcUrl("shop"),
                    TestAgents.MONITOR,
                    TestAgents.MONITOR_PASSWORD,
                    false)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !Double.isNaN(metric("tillwatch_pg_statements_calls_total")));
    assertThat(metric("tillwatch_pg_statements_available")).isEqualTo(1);
    double[] a;
    double calls;
    double seconds;
    try (Connection c = PG.server().connect("shop")) {
      // the agent's scrape and this read differ by the statements run in between
      List<Sample> s = agent.samples();
      calls = value(s, "tillwatch_pg_statements_calls_total", "target", "shop-db").orElseThrow();
      seconds =
          value(s, "tillwatch_pg_statements_exec_seconds_total", "target", "shop-db").orElseThrow();
      a = sums(c);
    }
    assertThat(calls).isBetween(300.0, a[0]);
    assertThat(seconds).isBetween(0.0, a[1]);
    List<Sample> top =
        agent.samples().stream()
            .filter(x -> x.name().equals("tillwatch_pg_statement_top_info"))
            .filter(x -> "shop-db".equals(x.labels().get("target")))
            .toList();
    assertThat(top).hasSize(10);
    assertThat(top.stream().map(x -> x.labels().get("rank")))
        .containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
    for (Sample x : top) {
      String q = x.labels().get("query");
      // pg_stat_statements' placeholders ($1) are all that stands for a value: no literal
      // string or number (digits in names such as float8 are no value)
      assertThat(q).doesNotContain("Jane", "secret", "'");
      assertThat(q).doesNotContainPattern("(?<![\\w$])[0-9]+(?!\\w)");
      assertThat(x.labels().get("query").length()).isLessThanOrEqualTo(Statements.MAX_TEXT);
    }

    // the statements turn slow: 400 that take 20 ms each
    try (Connection c = PG.server().connect("shop");
        Statement st = c.createStatement()) {
      for (int i = 0; i < 400; i++) {
        st.execute("SELECT pg_sleep(0.02), count(*) FROM orders WHERE id = " + i);
      }
    }
    double aCalls = calls;
    double aSeconds = seconds;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> metric("tillwatch_pg_statements_calls_total") >= aCalls + 400);
    double bCalls = metric("tillwatch_pg_statements_calls_total");
    double bSeconds = metric("tillwatch_pg_statements_exec_seconds_total");
    assertThat(bSeconds - aSeconds)
        .isGreaterThan(400 * 0.015); // pg_sleep wakes within a millisecond
    // the slow statement is now the one that took the most time
    assertThat(
            agent.samples().stream()
                .filter(x -> x.name().equals("tillwatch_pg_statement_top_info"))
                .filter(x -> "1".equals(x.labels().get("rank")))
                .map(x -> x.labels().get("query"))
                .findFirst())
        .hasValueSatisfying(q -> assertThat(q).contains("pg_sleep"));

    // the built-in pack on these figures laid on a timeline: a day of statements at the first
    // workload's mean time, then the same traffic at the slow workload's mean
    double before = aSeconds / aCalls;
    double after = (bSeconds - aSeconds) / (bCalls - aCalls);
    assertThat(after).isGreaterThan(0.01).isGreaterThan(3 * before);
    double perSecond = 1;
    long minute = 60_000;
    long day = 24 * 60 * minute;
    MemorySource data = new MemorySource();
    Labels base = Labels.of("tenant", "acme", "target", "shop-db");
    for (long t = 0; t <= day + 60 * minute; t += minute) {
      double elapsed = t / 1000.0;
      double slow = Math.max(0, t - day) / 1000.0;
      data.append(
          base.with("__name__", "tillwatch_pg_statements_calls_total"), t, perSecond * elapsed);
      data.append(
          base.with("__name__", "tillwatch_pg_statements_exec_seconds_total"),
          t,
          perSecond * ((elapsed - slow) * before + slow * after));
    }
    RuleGroup databases =
        new RuleFileLoader(Files::readString)
            .loadBuiltin().stream()
                .filter(g -> g.name().equals("tillwatch-databases"))
                .findFirst()
                .orElseThrow();
    GroupEvaluator eval = new GroupEvaluator(databases, id -> null, Optional.empty());
    List<String> firing = new ArrayList<>();
    for (long t = day; t <= day + 40 * minute; t += minute) {
      assertThat(eval.evaluate(data, t, (series, time, v) -> {}).ok()).isTrue();
      long at = t;
      eval.alerts()
          .values()
          .forEach(
              state ->
                  state
                      .alerts(AlertState.State.FIRING)
                      .forEach(
                          x -> firing.add(at / minute - 24 * 60 + " " + x.labels().get("target"))));
    }
    // pending from the first slow minutes, firing ten minutes later
    assertThat(firing).isNotEmpty().allMatch(f -> f.endsWith(" shop-db"));
    assertThat(firing.get(0)).startsWith("1");
  }
}
