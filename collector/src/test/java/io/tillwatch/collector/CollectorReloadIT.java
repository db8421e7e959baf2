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

  @Test
  @Timeout(120)
  void rulesAreReloadedAndAFiringAlertStaysFiring() throws Exception {
    PG.createDatabase("reload");
    Path rules = dir.resolve("shop.yml");
    Files.writeString(rules, SHOP_DOWN);
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, io.tillwatch.testkit.SloFiles.ORDER_CAPTURE);
    CollectorConfig base = TestCollectors.config(PG.server(), "reload", 1_000_000);
    CollectorConfig config =
        new CollectorConfig(
                base.listen(),
                base.storage(),
                base.head(),
                base.tokens(),
                base.maxQueuedSamples(),
                List.of(rules),
                false,
                Duration.ofMinutes(1),
                io.tillwatch.collector.config.AlertingConfig.NONE)
            .withSloFiles(List.of(slos))
            .withBuiltinSlos(false);
    try (Backend c =
        Backend.start(
            config,
            config.storage().url().orElseThrow(),
            config.storage().user(),
            config.storage().password(),
            RunningBackend.ruleGroups(config, Files::readString),
            RunningBackend.sloCatalog(config, Files::readString),
            Map.of(),
            java.time.Clock.systemUTC())) {
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
}
