package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.rules.AlertState;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /-/reload} of the collector: a changed rule file is evaluated from then on, a firing
 * alert of a rule that stays goes on firing from when it began, a rule file that does not load is
 * refused with its position and the running rules stay.
 */
class CollectorReloadIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @TempDir Path dir;

  private static final String SHOP_DOWN =
      """
      groups:
        - name: shop
          rules:
            - alert: ShopDown
              expr: shop_up == 0
              labels: {severity: page}
      """;

  private static HttpResponse<String> send(Backend c, String method, String path) throws Exception {
    return Otlp.HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + path))
            .header("Authorization", "Bearer " + PLATFORM)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> query(Backend c, String token) throws Exception {
    return Otlp.HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + c.port() + "/api/v1/query?query=up"))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<AlertState.Alert> firing(Backend c) {
    return c.rules().activeAlerts().stream()
        .filter(a -> a.state() == AlertState.State.FIRING)
        .toList();
  }

  private static RuleEngine.GroupState shop(Backend c) {
    return c.rules().groups().stream()
        .filter(g -> g.group().name().equals("shop"))
        .findFirst()
        .orElseThrow();
  }

  private static void evaluateAll(Backend c, long time) {
    for (RuleEngine.GroupState g : c.rules().groups()) {
      c.evaluate(g, time);
    }
  }

  private static CollectorConfig config(
      String database, Path rules, io.tillwatch.collector.config.AlertingConfig alerting) {
    return TestCollectors.config(
            PG.server(),
            database,
            Duration.ofMinutes(1),
            alerting,
            io.tillwatch.collector.config.QueryConfig.DEFAULT)
        .withRuleFiles(List.of(rules))
        .withBuiltinSlos(false);
  }

  private static Backend start(CollectorConfig config) throws Exception {
    return Backend.start(
        config,
        config.storage().url().orElseThrow(),
        config.storage().user(),
        config.storage().password(),
        RunningBackend.ruleGroups(config, Files::readString),
        RunningBackend.sloCatalog(config, Files::readString),
        Map.of(),
        java.time.Clock.systemUTC());
  }

  /** acme's shop down a second before {@code now}, written and in the head. */
  private static void shopDown(Backend c, long now) throws Exception {
    Metric.Builder down =
        Metric.newBuilder()
            .setName("shop_up")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setTimeUnixNano((now - 1000) * 1_000_000L)
                            .setAsDouble(0)));
    assertThat(Otlp.post(c.port(), PLATFORM, Otlp.request("acme", down)).statusCode())
        .isEqualTo(200);
    c.settle(Duration.ofSeconds(30));
  }

  @Test
  @Timeout(120)
  void rulesAreReloadedAndAFiringAlertStaysFiring() throws Exception {
    PG.createDatabase("reload");
    Path rules = dir.resolve("shop.yml");
    Files.writeString(rules, SHOP_DOWN);
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, io.tillwatch.testkit.SloFiles.ORDER_CAPTURE);
    CollectorConfig config =
        config("reload", rules, io.tillwatch.collector.config.AlertingConfig.NONE)
            .withSloFiles(List.of(slos));
    try (Backend c = start(config)) {
      @SuppressWarnings("unchecked")
      List<io.tillwatch.collector.config.TokenGrant>[] tokens = new List[] {config.tokens()};
      c.reloadFrom(
          () ->
              new Backend.Reloaded(
                  RunningBackend.ruleGroups(config, Files::readString),
                  RunningBackend.sloCatalog(config, Files::readString),
                  tokens[0]));
      // before the lifecycle API is on, a reload is refused
      assertThat(send(c, "POST", "/-/reload").statusCode()).isEqualTo(403);
      c.enableLifecycle();

      long now = System.currentTimeMillis();
      shopDown(c, now);
      evaluateAll(c, now);
      assertThat(firing(c)).hasSize(1);
      long activeAt = firing(c).get(0).activeAt();

      assertThat(c.slos().catalog().slos()).hasSize(1);
      // a new tenant's token: refused before the reload, taken after; acme's token goes
      String globex = "globex-token-0123456789";
      assertThat(query(c, globex).statusCode()).isEqualTo(401);
      tokens[0] =
          List.of(
              config.tokens().get(0),
              new io.tillwatch.collector.config.TokenGrant(
                  io.tillwatch.model.Secret.of(globex), java.util.Set.of("globex")));
      // a second rule beside it, and a second SLO (its rules and its rollups)
      Files.writeString(
          slos,
          io.tillwatch.testkit.SloFiles.ORDER_CAPTURE
              + io.tillwatch.testkit.SloFiles.ORDER_CAPTURE
                  .replace("slos:\n", "")
                  .replace("order-capture", "order-capture-strict")
                  .replace("objective: 99", "objective: 99.9"));
      Files.writeString(
          rules,
          SHOP_DOWN
              + """
                    - alert: ShopSlow
                      expr: shop_latency_seconds > 2
              """);
      HttpResponse<String> ok = send(c, "POST", "/-/reload");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(shop(c).group().rules()).hasSize(2);
      assertThat(query(c, globex).statusCode()).isEqualTo(200);
      assertThat(query(c, TestCollectors.ACME).statusCode()).isEqualTo(401);
      assertThat(c.slos().catalog().slos())
          .extracting(io.tillwatch.slo.Slo::name)
          .containsExactlyInAnyOrder("order-capture", "order-capture-strict");
      assertThat(c.rules().groups())
          .extracting(g -> g.group().name())
          .contains("slo-order-capture-strict");
      assertThat(firing(c)).hasSize(1);
      assertThat(firing(c).get(0).activeAt()).isEqualTo(activeAt);
      evaluateAll(c, now + 60_000);
      assertThat(firing(c)).hasSize(1);
      assertThat(firing(c).get(0).activeAt()).isEqualTo(activeAt);

      // a rule file that does not load: refused, said where, the running rules stay
      Files.writeString(rules, SHOP_DOWN.replace("expr: shop_up == 0", "expr: shop_up =="));
      HttpResponse<String> refused = send(c, "POST", "/-/reload");
      assertThat(refused.statusCode()).isEqualTo(500);
      assertThat(refused.body()).contains(rules + ":5:15:").contains("parse error");
      assertThat(shop(c).group().rules()).hasSize(2);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  send(c, "GET", "/metrics")
                      .body()
                      .matches("(?s).*\\ntillwatch_config_last_reload_successful 0(\\.0)?\\n.*"));
      evaluateAll(c, now + 120_000);
      assertThat(firing(c)).hasSize(1);
    }
  }

  @Test
  @Timeout(120)
  void alertmanagersAndWeeklyReportsFollowAReload() throws Exception {
    PG.createDatabase("reload_alerting");
    Path rules = dir.resolve("shop.yml");
    Files.writeString(rules, SHOP_DOWN);
    try (io.tillwatch.sandbox.AlertmanagerServer one =
            io.tillwatch.sandbox.AlertmanagerServer.start();
        io.tillwatch.sandbox.AlertmanagerServer two =
            io.tillwatch.sandbox.AlertmanagerServer.start()) {
      io.tillwatch.collector.config.AlertingConfig toOne =
          new io.tillwatch.collector.config.AlertingConfig(
              List.of(one.url()), Duration.ofSeconds(1), "http://collector", "", 100, "");
      CollectorConfig config = config("reload_alerting", rules, toOne);
      try (Backend c = start(config)) {
        CollectorConfig[] next = {config};
        c.reloadFrom(
            () ->
                new Backend.Reloaded(
                    RunningBackend.ruleGroups(next[0], Files::readString),
                    RunningBackend.sloCatalog(next[0], Files::readString),
                    next[0].tokens(),
                    next[0].alerting(),
                    next[0].reports()));
        c.enableLifecycle();
        long now = System.currentTimeMillis();
        shopDown(c, now);
        evaluateAll(c, now);
        await().atMost(Duration.ofSeconds(20)).until(() -> one.alerts().contains("ShopDown"));
        assertThat(c.reports()).isEmpty();

        // the alerts now go to another Alertmanager, and leadership gets a weekly report
        CollectorConfig reports =
            new io.tillwatch.collector.config.CollectorConfigLoader(
                    new io.tillwatch.config.Interpolation(
                        Map.of("SMTP_PASSWORD", "pw")::get, Files::readString))
                .load(
                    Files.writeString(
                        dir.resolve("collector.yml"),
                        """
                        collector:
                          tokens:
                            - token: abc-0123456789abcdef
                              tenants: ["*"]
                        reports:
                          weekly:
                            send_at: Mon 08:00
                            from: "tillwatch <slo@example.com>"
                            smtp:
                              host: 127.0.0.1
                              port: 2525
                              password: ${SMTP_PASSWORD}
                            recipients:
                              acme: [cfo@acme.example]
                        """));
        next[0] =
            config
                .withAlerting(
                    new io.tillwatch.collector.config.AlertingConfig(
                        List.of(two.url()), Duration.ofSeconds(1), "http://collector", "", 100, ""))
                .withReports(reports.reports());
        HttpResponse<String> ok = send(c, "POST", "/-/reload");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        evaluateAll(c, now + 60_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> two.alerts().contains("ShopDown"));
        // the alert kept firing from when it began, and the first Alertmanager is forgotten
        assertThat(firing(c)).hasSize(1);
        String metrics = send(c, "GET", "/metrics").body();
        assertThat(metrics)
            .contains("tillwatch_alertmanager_queue_length{alertmanager=\"" + two.url())
            .doesNotContain("alertmanager=\"" + one.url());
        assertThat(c.reports()).isPresent();
        assertThat(metrics).contains("tillwatch_report_unsent_seconds{tenant=\"acme\"}");

        // reports taken out again: their series go with them
        next[0] = next[0].withReports(config.reports());
        assertThat(send(c, "POST", "/-/reload").statusCode()).isEqualTo(200);
        assertThat(c.reports()).isEmpty();
        assertThat(send(c, "GET", "/metrics").body()).doesNotContain("tillwatch_report_unsent");
      }
    }
  }
}
