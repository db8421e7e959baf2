package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.promql.Parser;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Prometheus HTTP API of the collector, with rules evaluated over the head. */
class QueryApiIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Backend collector;
  private static long t0;

  private static final RuleGroup GROUP =
      new RuleGroup(
          "shop",
          Duration.ofMinutes(1),
          List.of(
              new Rule.Recording(
                  "tenant:orders_open:sum",
                  "sum by (tenant) (orders_open)",
                  Parser.parse("sum by (tenant) (orders_open)"),
                  Map.of()),
              new Rule.Alerting(
                  "TooManyOpenOrders",
                  "orders_open > 5",
                  Parser.parse("orders_open > 5"),
                  Duration.ZERO,
                  Duration.ZERO,
                  Map.of("severity", "page"),
                  Map.of("summary", "{{ $labels.tenant }} has {{ $value }} open orders"),
                  Rule.Risk.ORDER_CAPTURE,
                  "Orders wait.",
                  Rule.During.ALWAYS,
                  Map.of())));

  @BeforeAll
  static void start() throws Exception {
    PG.createDatabase("api");
    CollectorConfig c =
        TestCollectors.config(PG.server(), "api", 1_000_000)
            .withOwnMetricsInterval(Duration.ofSeconds(2));
    collector =
        Backend.start(
            c,
            c.storage().url().orElseThrow(),
            c.storage().user(),
            c.storage().password(),
            List.of(GROUP),
            Map.of());
    t0 = (System.currentTimeMillis() / 1000) * 1000 - 120_000;
    for (String tenant : List.of("acme", "globex")) {
      HttpResponse<byte[]> r =
          Otlp.post(
              collector.port(),
              PLATFORM,
              Otlp.gauge(tenant, "orders_open", tenant.equals("acme") ? "a1" : "g1", t0, 120));
      assertThat(r.statusCode()).isEqualTo(200);
    }
    await()
        .until(
            () ->
                collector.head().series("orders_open").stream()
                        .mapToLong(
                            s -> {
                              long[] n = {0};
                              collector.head().read(s, 0, Long.MAX_VALUE, (t, v) -> n[0]++);
                              return n[0];
                            })
                        .sum()
                    == 240);
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private static HttpResponse<String> get(String token, String pathAndQuery) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + pathAndQuery))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return Otlp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode data(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode o = JSON.readTree(r.body());
    assertThat(o.path("status").asText()).isEqualTo("success");
    return o.path("data");
  }

  @Test
  void instantQueriesSeeTheHeadAndATenantTokenOnlyItsTenant() throws Exception {
    long at = t0 + 60_000; // the 61st sample of each series: value 30
    JsonNode all =
        data(get(PLATFORM, "/api/v1/query?query=" + q("orders_open") + "&time=" + at / 1000));
    assertThat(all.path("resultType").asText()).isEqualTo("vector");
    assertThat(all.path("result")).hasSize(2);
    JsonNode first = all.path("result").get(0);
    assertThat(first.path("value").get(1).asText()).isEqualTo("30");
    assertThat(first.path("metric").path("__name__").asText()).isEqualTo("orders_open");

    JsonNode acme =
        data(get(ACME, "/api/v1/query?query=" + q("sum(orders_open)") + "&time=" + at / 1000));
    assertThat(acme.path("result")).hasSize(1);
    assertThat(acme.path("result").get(0).path("value").get(1).asText())
        .isEqualTo("30"); // only acme's series: globex's 30 is not added
    JsonNode platformSum =
        data(get(PLATFORM, "/api/v1/query?query=" + q("sum(orders_open)") + "&time=" + at / 1000));
    assertThat(platformSum.path("result").get(0).path("value").get(1).asText()).isEqualTo("60");
    // asking for globex by name does not help
    JsonNode sneaky =
        data(
            get(
                ACME,
                "/api/v1/query?query="
                    + q("orders_open{tenant=\"globex\"}")
                    + "&time="
                    + at / 1000));
    assertThat(sneaky.path("result")).isEmpty();
    // a sample's answer carries the evaluation time, not the sample's own (as Prometheus)
    String between = java.math.BigDecimal.valueOf(at + 700, 3).toPlainString();
    JsonNode later =
        data(get(ACME, "/api/v1/query?query=" + q("orders_open") + "&time=" + between));
    assertThat(later.path("result").get(0).path("value").get(0).decimalValue())
        .isEqualByComparingTo(between);
    assertThat(later.path("result").get(0).path("value").get(1).asText()).isEqualTo("30");
    JsonNode scalar = data(get(ACME, "/api/v1/query?query=" + q("1 + 2") + "&time=" + at / 1000));
    assertThat(scalar.path("resultType").asText()).isEqualTo("scalar");
    assertThat(scalar.path("result").get(1).asText()).isEqualTo("3");
  }

  /** Every request gets its answer at once, whatever its method, path and body. */
  @Test
  void unknownPathsAndMethodsAreAnsweredAtOnce() throws Exception {
    for (String path : List.of("/api/v1/annotations", "/nowhere", "/api/v2/query")) {
      for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
        HttpRequest.Builder b =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + path))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + PLATFORM)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(
                    method, HttpRequest.BodyPublishers.ofString("a=1&b=" + "x".repeat(100_000)));
        HttpResponse<String> r = Otlp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path).isEqualTo(404);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("status").asText()).isEqualTo("error");
        assertThat(e.path("errorType").asText()).isEqualTo("not_found");
      }
    }
    // a query posted with a form larger than a form may be: a 400 that says so, at once
    HttpResponse<String> big =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collector.port() + "/api/v1/query"))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + PLATFORM)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + "1%2B".repeat(200_000) + "1"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).as(big.body()).isIn(400, 413);
    assertThat(JSON.readTree(big.body()).path("status").asText()).isEqualTo("error");
    // a known path with a method it does not take: 405 naming the allowed ones
    HttpResponse<String> put =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collector.port() + "/v1/metrics"))
                .timeout(Duration.ofSeconds(5))
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("POST");
    assertThat(JSON.readTree(put.body()).path("errorType").asText())
        .isEqualTo("method_not_allowed");
  }

  @Test
  void theCollectorsOwnMetricsAreStoredAsPlatformSeries() throws Exception {
    String query = "/api/v1/query?query=" + q("tillwatch_collector_head_series");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> data(get(PLATFORM, query)).path("result").size() == 1);
    JsonNode s = data(get(PLATFORM, query)).path("result").get(0);
    assertThat(s.path("metric").path("tenant").asText()).isEqualTo("platform");
    assertThat(Double.parseDouble(s.path("value").get(1).asText())).isPositive();
    // counters under their _total name, as /metrics shows them
    assertThat(
            data(get(
                    PLATFORM,
                    "/api/v1/query?query=" + q("tillwatch_collector_samples_accepted_total")))
                .path("result"))
        .isNotEmpty();
    // not for a tenant's token
    assertThat(data(get(ACME, query)).path("result")).isEmpty();
  }

  @Test
  void rangeQueriesSeriesLabelsAndValues() throws Exception {
    long start = t0 / 1000;
    JsonNode range =
        data(
            get(
                ACME,
                "/api/v1/query_range?query="
                    + q("orders_open")
                    + "&start="
                    + start
                    + "&end="
                    + (start + 10)
                    + "&step=5"));
    assertThat(range.path("resultType").asText()).isEqualTo("matrix");
    JsonNode values = range.path("result").get(0).path("values");
    assertThat(values).hasSize(3);
    assertThat(values.get(2).get(1).asText()).isEqualTo("5"); // t0 + 10 s: 10 × 0.5
    JsonNode series = data2(get(ACME, "/api/v1/series?match[]=" + q("orders_open")));
    assertThat(series).hasSize(1);
    assertThat(series.get(0).path("tenant").asText()).isEqualTo("acme");
    assertThat(strings(data2(get(PLATFORM, "/api/v1/label/tenant/values"))))
        .contains("acme", "globex");
    assertThat(strings(data2(get(ACME, "/api/v1/label/tenant/values")))).containsExactly("acme");
    assertThat(strings(data2(get(ACME, "/api/v1/labels"))))
        .contains("__name__", "series", "tenant");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static JsonNode data2(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("data");
  }

  @Test
  void rangesOlderThanTheHeadComeFromStorage() throws Exception {
    long old = (System.currentTimeMillis() / 1000) * 1000 - Duration.ofHours(5).toMillis();
    for (String tenant : List.of("acme", "globex")) {
      assertThat(
              Otlp.post(collector.port(), PLATFORM, Otlp.gauge(tenant, "old_gauge", "o", old, 60))
                  .statusCode())
          .isEqualTo(200);
    }
    long at = old + 30_000; // the 31st sample: 15
    JsonNode acme = data(get(ACME, "/api/v1/query?query=" + q("old_gauge") + "&time=" + at / 1000));
    assertThat(acme.path("result")).hasSize(1);
    JsonNode sample = acme.path("result").get(0);
    assertThat(sample.path("metric").path("tenant").asText()).isEqualTo("acme");
    assertThat(sample.path("value").get(1).asText()).isEqualTo("15");
    JsonNode rate =
        data(
            get(
                PLATFORM,
                "/api/v1/query?query="
                    + q("sum(rate(old_gauge[1m]))")
                    + "&time="
                    + (old + 59_000) / 1000));
    // two series rising 0.5 a second from 0: 29.5 each over the minute, not extrapolated
    // past the zero point (Prometheus's rate)
    assertThat(Double.parseDouble(rate.path("result").get(0).path("value").get(1).asText()))
        .isEqualTo(2 * 29.5 / 60);

    // series, label names and values over a range before the head come from storage, by time
    String then = "&start=" + (old / 1000 - 60) + "&end=" + (old / 1000 + 120);
    assertThat(strings(data2(get(ACME, "/api/v1/label/__name__/values?" + then))))
        .containsExactly("old_gauge");
    assertThat(strings(data2(get(PLATFORM, "/api/v1/label/tenant/values?" + then))))
        .containsExactly("acme", "globex");
    assertThat(strings(data2(get(ACME, "/api/v1/label/tenant/values?" + then))))
        .containsExactly("acme");
    assertThat(strings(data2(get(ACME, "/api/v1/labels?" + then))))
        .containsExactly("__name__", "series", "tenant");
    JsonNode oldSeries = data2(get(PLATFORM, "/api/v1/series?match[]=" + q("old_gauge") + then));
    assertThat(oldSeries).hasSize(2);
    assertThat(data2(get(ACME, "/api/v1/series?match[]=" + q("old_gauge") + then)))
        .singleElement()
        .satisfies(x -> assertThat(x.path("tenant").asText()).isEqualTo("acme"));
    // a range of the last half hour: the head's series only; no range: all time
    long now = System.currentTimeMillis() / 1000;
    String recent = "&start=" + (now - 1800) + "&end=" + now;
    assertThat(strings(data2(get(ACME, "/api/v1/label/__name__/values?" + recent))))
        .contains("orders_open")
        .doesNotContain("old_gauge");
    assertThat(strings(data2(get(ACME, "/api/v1/label/__name__/values"))))
        .contains("orders_open", "old_gauge");
    assertThat(get(ACME, "/api/v1/labels?start=" + now + "&end=" + (now - 10)).statusCode())
        .isEqualTo(400);
  }

  @Test
  void errorsAreThePrometheusShape() throws Exception {
    HttpResponse<String> noToken = get(null, "/api/v1/query?query=up");
    assertThat(noToken.statusCode()).isEqualTo(401);
    HttpResponse<String> bad = get(ACME, "/api/v1/query?query=" + q("sum(rate(x[5m])"));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonNode e = JSON.readTree(bad.body());
    assertThat(e.path("status").asText()).isEqualTo("error");
    assertThat(e.path("errorType").asText()).isEqualTo("bad_data");
    assertThat(e.path("error").asText()).contains("1:16: parse error");
    assertThat(get(ACME, "/api/v1/query_range?query=up&start=10&end=5&step=1").statusCode())
        .isEqualTo(400);
  }

  @Test
  void rulesRecordSeriesAndAlertsAreScopedToTheTenant() throws Exception {
    RuleEngine.GroupState g = collector.rules().groups().get(0);
    long now = t0 + 119_000; // the last samples: value 59.5
    collector.rules().evaluate(g, now);
    assertThat(g.lastError(GROUP.rules().get(0))).isNull();
    // the recorded series is ingested like any other
    await()
        .until(
            () ->
                data(get(
                            PLATFORM,
                            "/api/v1/query?query="
                                + q("tenant:orders_open:sum")
                                + "&time="
                                + now / 1000))
                        .path("result")
                        .size()
                    == 2);
    JsonNode rules = data(get(ACME, "/api/v1/rules"));
    JsonNode alerting = rules.path("groups").get(0).path("rules").get(1);
    assertThat(alerting.path("type").asText()).isEqualTo("alerting");
    assertThat(alerting.path("state").asText()).isEqualTo("firing");
    assertThat(alerting.path("risk").asText()).isEqualTo("order_capture");
    assertThat(alerting.path("alerts")).hasSize(1); // acme's only
    JsonNode alerts = data(get(ACME, "/api/v1/alerts")).path("alerts");
    assertThat(alerts).hasSize(1);
    JsonNode a = alerts.get(0);
    assertThat(a.path("labels").path("tenant").asText()).isEqualTo("acme");
    assertThat(a.path("labels").path("alertname").asText()).isEqualTo("TooManyOpenOrders");
    assertThat(a.path("annotations").path("summary").asText())
        .isEqualTo("acme has 59.5 open orders");
    List<String> tenants = new ArrayList<>();
    data(get(PLATFORM, "/api/v1/alerts"))
        .path("alerts")
        .forEach(x -> tenants.add(x.path("labels").path("tenant").asText()));
    assertThat(tenants).containsExactlyInAnyOrder("acme", "globex");
    assertThat(get(PLATFORM, "/metrics").body())
        .contains("tillwatch_rule_group_last_duration_seconds{rule_group=\"shop\"}")
        // the process, as the agent and client_java's exporters show it
        .containsPattern("(?m)^jvm_memory_used_bytes\\{area=\"heap\"\\} [0-9.E]+$")
        .contains("jvm_memory_pool_collection_used_bytes{pool=")
        .containsPattern("(?m)^process_cpu_seconds_total [0-9.E]+$")
        .contains("jvm_threads_current");
    // /metrics shows every tenant: not without a token, nor with a tenant's
    assertThat(get(null, "/metrics").statusCode()).isEqualTo(401);
    assertThat(get(ACME, "/metrics").statusCode()).isEqualTo(403);
  }

  private static HttpResponse<String> post(String token, String path, String form)
      throws Exception {
    return Otlp.HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The calls Grafana's Prometheus data source makes (its health check, the query editor, template
   * variables, exemplars, alerting views), by GET and by form POST as it sends them, with a
   * tenant's token: every answer in Prometheus's shape and holding only that tenant.
   */
  @Test
  void grafanasDataSourceCallsAreAnsweredForATenantOnly() throws Exception {
    long start = t0 / 1000;
    long end = start + 120;
    String range = "&start=" + start + "&end=" + end;
    JsonNode build = data(get(ACME, "/api/v1/status/buildinfo"));
    assertThat(build.path("version").asText()).isEqualTo("2.42.0");
    assertThat(build.path("application").asText()).isEqualTo("tillwatch");
    // "Save & test": an instant 1+1, posted
    JsonNode health = data(post(ACME, "/api/v1/query", "query=" + q("1+1") + "&time=" + end));
    assertThat(health.path("resultType").asText()).isEqualTo("scalar");
    assertThat(health.path("result").get(1).asText()).isEqualTo("2");
    // panels: range queries posted with Grafana's step
    JsonNode panel =
        data(
            post(
                ACME,
                "/api/v1/query_range",
                "query=" + q("sum by (tenant) (orders_open)") + range + "&step=15"));
    assertThat(panel.path("result")).hasSize(1);
    assertThat(panel.path("result").get(0).path("metric").path("tenant").asText())
        .isEqualTo("acme");
    // template variables: label_values(tenant), label_values(orders_open, series),
    // metrics(...), query_result(...)
    assertThat(strings(data2(get(ACME, "/api/v1/label/tenant/values?" + range.substring(1)))))
        .containsExactly("acme");
    assertThat(
            strings(
                data2(
                    get(ACME, "/api/v1/label/series/values?match[]=" + q("orders_open") + range))))
        .containsExactly("a1");
    assertThat(strings(data2(get(ACME, "/api/v1/label/__name__/values?" + range.substring(1)))))
        .contains("orders_open");
    JsonNode result =
        data(
            get(
                ACME,
                "/api/v1/query?query=" + q("count by (tenant) (orders_open)") + "&time=" + end));
    assertThat(result.path("result")).hasSize(1);
    // the query editor: labels and series, by GET and POST
    assertThat(strings(data2(get(ACME, "/api/v1/labels?match[]=" + q("orders_open") + range))))
        .contains("__name__", "series", "tenant");
    assertThat(strings(data2(post(ACME, "/api/v1/labels", "match[]=" + q("orders_open") + range))))
        .contains("__name__", "series", "tenant");
    JsonNode series =
        data2(post(ACME, "/api/v1/series", "match[]=" + q("{__name__=~\"orders.*\"}") + range));
    assertThat(series).hasSize(1);
    assertThat(series.get(0).path("tenant").asText()).isEqualTo("acme");
    assertThat(data(get(ACME, "/api/v1/metadata?limit=10000")).isObject()).isTrue();
    assertThat(data(get(ACME, "/api/v1/metadata?metric=orders_open")).isObject()).isTrue();
    // exemplars: none kept, an empty list; a broken query is still Prometheus's 400
    JsonNode exemplars =
        data(post(ACME, "/api/v1/query_exemplars", "query=" + q("orders_open") + range));
    assertThat(exemplars.isArray()).isTrue();
    assertThat(exemplars).isEmpty();
    HttpResponse<String> broken =
        post(ACME, "/api/v1/query_exemplars", "query=" + q("sum(orders_open") + range);
    assertThat(broken.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(broken.body());
    assertThat(error.path("status").asText()).isEqualTo("error");
    assertThat(error.path("errorType").asText()).isEqualTo("bad_data");
    // alerting views
    assertThat(data(get(ACME, "/api/v1/rules")).path("groups").isArray()).isTrue();
    assertThat(data(get(ACME, "/api/v1/alerts")).path("alerts").isArray()).isTrue();
  }
}
