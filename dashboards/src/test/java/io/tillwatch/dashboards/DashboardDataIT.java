package io.tillwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.demo.Demo;
import io.tillwatch.demo.DemoOptions;
import io.tillwatch.model.HostPort;
import io.tillwatch.sandbox.PrometheusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every panel's queries as Grafana issues them (its macros and step for a 6-hour and a 7-day
 * dashboard; instant targets at "now") against the collector fed by the agent on the sandbox estate
 * (PostgreSQL primary + standby, Odoo-shaped shop, Redis, pgBackRest, a Traefik-shaped ingress):
 * each returns data, but for the panels declared here. The same queries against a real Prometheus
 * 2.42 scraping the same agent return the same series.
 */
class DashboardDataIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Panels that are empty while all is well (alerts, failures, evictions). */
  private static final Set<String> EMPTY_WHEN_HEALTHY =
      Set.of(
          "Problems now, by what is at risk",
          "Incidents now",
          "Burn-rate alerts",
          "Redis evictions",
          "WAL archive failures",
          "Traefik errors per service",
          "Targets that cannot be scraped",
          "Weekly reports waiting",
          "Alertmanager sends and drops",
          "Odoo failed jobs",
          "Replication slots: WAL retained");

  /** Targets that need more history than a new estate has: a week ago. */
  private static final Set<String> NEEDS_A_WEEK =
      Set.of("Orders today and the same day last week / B");

  /** Panels about the agent's and the collector's own working: only in their /metrics. */
  private static final Set<String> OWN_METRICS =
      Set.of(
          "Agent push buffer",
          "Agent pushes",
          "Collector ingest",
          "Write queue",
          "Head series",
          "Rule group durations",
          "Alertmanager sends and drops");

  /** What only the collector computes: SLO series, alerts, report ages. */
  private static boolean collectorOnly(String expr) {
    return expr.contains("slo:")
        || expr.contains("tillwatch_slo_")
        || expr.contains("ALERTS")
        || expr.contains("tillwatch_report_");
  }

  private record Source(String name, String url, String token) {}

  @Test
  @Timeout(600)
  void everyPanelAnswersFromTheCollectorAndMatchesPrometheus() throws Exception {
    StringWriter log = new StringWriter();
    DemoOptions options =
        new DemoOptions(
            new HostPort("127.0.0.1", io.tillwatch.localpg.FreePorts.next()),
            io.tillwatch.localpg.FreePorts.next(),
            Duration.ofSeconds(5),
            Optional.of(
                Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"))),
            false,
            Duration.ofHours(1));
    try (Demo demo = Demo.start(options, new PrintWriter(log, true))) {
      URI agent = URI.create(demo.agentMetricsUrl());
      URI collector = URI.create(demo.collectorUrl());
      String config =
          """
          global: {scrape_interval: 5s, evaluation_interval: 5s}
          scrape_configs:
            - job_name: agent
              honor_labels: true
              static_configs: [{targets: ['%s']}]
            - job_name: collector
              static_configs: [{targets: ['%s']}]
          """
              .formatted(agent.getAuthority(), collector.getAuthority());
      try (PrometheusServer prom = PrometheusServer.start(config, Map.of())) {
        Source ours = new Source("collector", demo.collectorUrl(), demo.token());
        Source theirs = new Source("prometheus", prom.url().toString().replaceAll("/$", ""), null);
        // a few minutes of the workload (a broken stream, stock-sync stalls, backups, orders),
        // then the panels are read while the standby streams: the primary's replication series
        // exist only while a standby is connected, in both sources
        Thread.sleep(Duration.ofMinutes(2).toMillis());
        await()
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofSeconds(5))
            .until(() -> streaming(ours) && streaming(theirs));
        long now = Instant.now().getEpochSecond();
        List<String> empty = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        int checked = 0;
        for (Dashboards.Range r :
            List.of(Dashboards.Range.SIX_HOURS, Dashboards.Range.SEVEN_DAYS)) {
          for (Dashboards.Query q : Dashboards.queries()) {
            long midnight =
                LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            Duration range =
                q.timeFrom().equals("now/d") ? Duration.ofSeconds(now - midnight) : r.length();
            String expr =
                r.expand(q.expr(), Map.of("tenant", "acme", "slo", "stock-sync-freshness"), range);
            boolean own = OWN_METRICS.contains(q.panel());
            Source first = own ? theirs : ours;
            Set<String> a = series(first, expr, q.instant(), now, r);
            checked++;
            if (a.isEmpty()
                && !EMPTY_WHEN_HEALTHY.contains(q.panel())
                && !NEEDS_A_WEEK.contains(q.panel() + " / " + q.ref())) {
              empty.add(r.name() + " " + first.name() + ": " + q.name() + ": " + expr);
            }
            if (!own && !collectorOnly(q.expr())) {
              Set<String> b = series(theirs, expr, q.instant(), now, r);
              if (!a.equals(b)) {
                differ.add(r.name() + " " + q.name() + ": collector " + a + " prometheus " + b);
              }
            }
          }
        }
        assertThat(checked).isGreaterThan(80);
        assertThat(differ).as("series that differ").isEmpty();
        assertThat(empty).as("panels without data\n" + log).isEmpty();

        // the variables resolve on both, as Grafana asks for them
        for (Source s : List.of(ours, theirs)) {
          JsonNode v =
              get(
                  s,
                  "/api/v1/label/tenant/values?match[]="
                      + enc("tillwatch_target_up")
                      + "&start="
                      + (now - 21600)
                      + "&end="
                      + now);
          assertThat(strings(v)).as(s.name()).containsExactly("acme");
        }
        JsonNode slos =
            get(
                ours,
                "/api/v1/label/slo/values?match[]="
                    + enc("tillwatch_slo_budget_remaining_ratio{tenant=\"acme\"}"));
        assertThat(strings(slos)).contains("standby-streaming", "stock-sync-freshness");
      }
    }
  }

  /** Whether the primary has had a streaming standby for the last scrapes, in {@code s}. */
  private static boolean streaming(Source s) throws Exception {
    long now = Instant.now().getEpochSecond();
    return !series(
            s, "min_over_time(tillwatch_pg_replication_streaming[20s]) == 1", true, now, null)
        .isEmpty();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The label sets a query returns, posted as Grafana posts it. */
  private static Set<String> series(
      Source s, String expr, boolean instant, long now, Dashboards.Range r) throws Exception {
    String form =
        instant
            ? "query=" + enc(expr) + "&time=" + now
            : "query="
                + enc(expr)
                + "&start="
                + (now - r.length().toSeconds())
                + "&end="
                + now
                + "&step="
                + r.interval().toSeconds();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(s.url() + (instant ? "/api/v1/query" : "/api/v1/query_range")))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (s.token() != null) {
      b.header("Authorization", "Bearer " + s.token());
    }
    HttpResponse<String> resp = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(s.name() + " " + expr + ": " + resp.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(resp.body()).path("data").path("result");
    Set<String> out = new TreeSet<>();
    if (result.isArray()) {
      for (JsonNode x : result) {
        out.add(x.path("metric").toString());
      }
    } else if (!result.isMissingNode()) {
      out.add("scalar");
    }
    return out;
  }

  private static JsonNode get(Source s, String pathAndQuery) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (s.token() != null) {
      b.header("Authorization", "Bearer " + s.token());
    }
    HttpResponse<String> resp = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    return JSON.readTree(resp.body()).path("data");
  }
}
