package io.tillwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.demo.Demo;
import io.tillwatch.demo.DemoOptions;
import io.tillwatch.model.HostPort;
import io.tillwatch.sandbox.PrometheusServer;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every panel's queries as Grafana issues them (its macros and step for a 6-hour and a 7-day
 * dashboard; instant targets at "now") against the collector fed by the agent on the sandbox estate
 * (PostgreSQL primary + standby, Odoo-shaped shop, Redis, pgBackRest, a Traefik-shaped ingress):
 * each returns data, but for the panels declared here. The same queries against a real Prometheus
 * 2.42 scraping the same agent return the same series. Then the collector's samples, exported as
 * they are stored, are loaded into a second Prometheus: every panel's query (the collector's own
 * SLO and alert series too) gives the same values from both engines on the same samples.
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
          "Replication slots: WAL retained",
          "annotation Releases and maintenance",
          "Releases of the last 7 days");

  /** Targets that need more history than a new estate has: a week ago. */
  private static final Set<String> NEEDS_A_WEEK =
      Set.of("Orders today and the same day last week / B");

  /**
   * Panels about the agent's and the collector's own working: the collector stores them (the agent
   * pushes its own) under the tenant {@code platform}, a Prometheus scraping /metrics has them
   * without it: their label sets differ by design.
   */
  private static final Set<String> OWN_METRICS =
      Set.of(
          "Agent push buffer",
          "Agent pushes",
          "Collector ingest",
          "Write queue",
          "Head series",
          "Rule group durations",
          "Alertmanager sends and drops");

  /**
   * What only the collector computes or keeps: SLO series and the built-in pack's records, alerts,
   * report ages, events.
   */
  private static boolean collectorOnly(String expr) {
    return expr.contains("slo:")
        || expr.contains("tenant_store:")
        || expr.contains("tillwatch_event")
        || expr.contains("tillwatch_release_")
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
              authorization: {credentials: '%s'}
              static_configs: [{targets: ['%s']}]
          """
              .formatted(agent.getAuthority(), demo.token(), collector.getAuthority());
      try (PrometheusServer prom = PrometheusServer.start(config, Map.of())) {
        Source ours = new Source("collector", demo.collectorUrl(), demo.token());
        Source theirs = new Source("prometheus", prom.url().toString().replaceAll("/$", ""), null);
        // a few minutes of the workload (a broken stream, stock-sync stalls, backups, orders),
        // then the panels are read while the standby streams: the primary's replication series
        // exist only while a standby is connected, in both sources
        Thread.sleep(Duration.ofMinutes(2).toMillis());
        long now = settledWhileStreaming(ours, theirs);
        List<String> empty = new ArrayList<>();
        List<String> differ = new ArrayList<>();
        int checked = 0;
        for (Dashboards.Range r :
            List.of(Dashboards.Range.SIX_HOURS, Dashboards.Range.SEVEN_DAYS)) {
          for (Dashboards.Query q : Dashboards.queries()) {
            String expr = expand(q, r, now);
            boolean own = OWN_METRICS.contains(q.panel());
            Source first = ours;
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

        sameSamplesSameValues(ours, now, log);
      }
    }
  }

  /**
   * The collector's samples up to {@code now} (once every push for it has landed), written as
   * OpenMetrics into blocks of a second Prometheus: each panel's query, as Grafana sends it, gives
   * the same series and values from both at every step both answer. A series the collector marked
   * stale (a scrape no longer had it, an alert resolved) stops there in the collector and runs on
   * for Prometheus's 5-minute lookback in the blocks, which cannot hold stale markers: the steps of
   * queries on such a metric within 5 minutes after a series' end are left out.
   */
  private static void sameSamplesSameValues(Source ours, long now, StringWriter log)
      throws Exception {
    // `now` is settled: every push of a scrape before it has landed (settledWhileStreaming)
    Path om = Files.createTempFile("tillwatch-dashboards", ".om");
    Exported ended;
    try {
      ended = export(ours, now, om);
      try (PrometheusServer same =
          PrometheusServer.start(
              "global: {}\n",
              Map.of(),
              dir -> PrometheusServer.createBlocks(om, dir.resolve("tsdb")),
              List.of("--storage.tsdb.retention.time=30d"))) {
        Source blocks = new Source("prometheus (same samples)", same.url().toString(), null);
        long compared = 0;
        long skipped = 0;
        int queries = 0;
        List<String> differ = new ArrayList<>();
        for (Dashboards.Range r :
            List.of(Dashboards.Range.SIX_HOURS, Dashboards.Range.SEVEN_DAYS)) {
          for (Dashboards.Query q : Dashboards.queries()) {
            String expr = expand(q, r, now);
            Map<String, Map<Long, Double>> a = answer(ours, expr, q.instant(), now, r);
            Map<String, Map<Long, Double>> b = answer(blocks, expr, q.instant(), now, r);
            queries++;
            List<Long> ends = ended.endsIn(expr);
            Set<String> labelSets = new TreeSet<>(a.keySet());
            labelSets.addAll(b.keySet());
            for (String labels : labelSets) {
              Map<Long, Double> x = a.getOrDefault(labels, Map.of());
              Map<Long, Double> y = b.getOrDefault(labels, Map.of());
              Set<Long> times = new TreeSet<>(x.keySet());
              times.addAll(y.keySet());
              for (long t : times) {
                if (afterAnEnd(ends, t)) {
                  skipped++;
                  continue;
                }
                Double u = x.get(t);
                Double v = y.get(t);
                if (u == null || v == null || !close(u, v)) {
                  differ.add(
                      r.name()
                          + " "
                          + q.name()
                          + " "
                          + labels
                          + " at "
                          + t
                          + ": collector "
                          + u
                          + " prometheus "
                          + v);
                  break;
                }
                compared++;
              }
            }
          }
        }
        assertThat(differ).as("values that differ on the same samples\n" + same.log()).isEmpty();
        assertThat(queries).isGreaterThan(70);
        // a few minutes of history: a few points per series at 1-minute steps, one at 10 minutes
        assertThat(compared).as("points compared (%d left out)", skipped).isGreaterThan(200);
        assertThat(skipped).as("points left out after a series ended").isLessThan(compared);
        System.out.println(
            "same samples: "
                + ended.samples()
                + " exported, "
                + compared
                + " points agree, "
                + skipped
                + " left out after a series ended");
      }
    } finally {
      Files.deleteIfExists(om);
    }
    assertThat(ended.samples()).isGreaterThan(1_000);
  }

  /** Lookback steps after a series' end: the collector has a stale marker, the blocks do not. */
  private static boolean afterAnEnd(List<Long> ends, long t) {
    for (long e : ends) {
      if (t > e && t <= e + LOOKBACK_MILLIS) {
        return true;
      }
    }
    return false;
  }

  private static final long LOOKBACK_MILLIS = Duration.ofMinutes(5).toMillis();

  /**
   * What was exported: the number of samples and, per metric name, the times series stopped (no
   * sample for more than twice their usual spacing after it, or none until {@code now}).
   */
  private record Exported(int samples, Map<String, List<Long>> ends) {
    /** The ends of series of every metric {@code expr} names. */
    List<Long> endsIn(String expr) {
      List<Long> out = new ArrayList<>();
      ends.forEach(
          (name, times) -> {
            if (java.util.regex.Pattern.compile(
                    "(?<![a-zA-Z0-9_:])"
                        + java.util.regex.Pattern.quote(name)
                        + "(?![a-zA-Z0-9_:])")
                .matcher(expr)
                .find()) {
              out.addAll(times);
            }
          });
      return out;
    }
  }

  private static boolean close(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.isNaN(a) && Double.isNaN(b);
    }
    return a == b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }

  /**
   * Every sample the collector holds up to {@code now} (the last hour covers a new estate), as
   * OpenMetrics text for {@code promtool tsdb create-blocks-from openmetrics}; the number written.
   */
  private static Exported export(Source ours, long now, Path file) throws Exception {
    JsonNode result = query(ours, "query=" + enc("{__name__=~\".+\"}[1h]") + "&time=" + now);
    Map<String, List<JsonNode>> byName = new TreeMap<>();
    for (JsonNode s : result) {
      byName
          .computeIfAbsent(s.path("metric").path("__name__").asText(), k -> new ArrayList<>())
          .add(s);
    }
    int n = 0;
    Map<String, List<Long>> ends = new TreeMap<>();
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (Map.Entry<String, List<JsonNode>> e : byName.entrySet()) {
        w.write("# TYPE " + e.getKey() + " gauge\n");
        for (JsonNode s : e.getValue()) {
          StringBuilder series = new StringBuilder(e.getKey()).append('{');
          s.path("metric")
              .fields()
              .forEachRemaining(
                  f -> {
                    if (!f.getKey().equals("__name__")) {
                      series
                          .append(series.charAt(series.length() - 1) == '{' ? "" : ",")
                          .append(f.getKey())
                          .append("=\"")
                          .append(
                              f.getValue()
                                  .asText()
                                  .replace("\\", "\\\\")
                                  .replace("\"", "\\\"")
                                  .replace("\n", "\\n"))
                          .append('"');
                    }
                  });
          series.append('}');
          JsonNode values = s.path("values");
          ends.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(gaps(values, now * 1000));
          for (JsonNode p : values) {
            // OpenMetrics: seconds with the milliseconds as a fraction; NaN and ±Inf as Go spells
            // them
            w.write(
                series
                    + " "
                    + p.get(1).asText()
                    + " "
                    + p.get(0).decimalValue().toPlainString()
                    + "\n");
            n++;
          }
        }
      }
      w.write("# EOF\n");
    }
    return new Exported(n, ends);
  }

  /**
   * Where a series stopped for a while or for good: the time of each sample followed by a gap over
   * twice its usual (median) spacing, or by nothing until {@code now}.
   */
  private static List<Long> gaps(JsonNode values, long now) {
    List<Long> out = new ArrayList<>();
    if (values.size() < 2) {
      return out;
    }
    long[] t = new long[values.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = millis(values.get(i).get(0));
    }
    long[] spacing = new long[t.length - 1];
    for (int i = 1; i < t.length; i++) {
      spacing[i - 1] = t[i] - t[i - 1];
    }
    java.util.Arrays.sort(spacing);
    long usual = spacing[spacing.length / 2];
    for (int i = 1; i < t.length; i++) {
      if (t[i] - t[i - 1] > 2 * usual + 1000) {
        out.add(t[i - 1]);
      }
    }
    if (now - t[t.length - 1] > 2 * usual + 1000) {
      out.add(t[t.length - 1]);
    }
    return out;
  }

  private static long millis(JsonNode seconds) {
    return seconds.decimalValue().movePointRight(3).longValue();
  }

  /** A query's answer: each series' points by time (an instant vector's at its time). */
  private static Map<String, Map<Long, Double>> answer(
      Source s, String expr, boolean instant, long now, Dashboards.Range r) throws Exception {
    JsonNode result = query(s, form(expr, instant, now, r));
    Map<String, Map<Long, Double>> out = new TreeMap<>();
    if (!result.isArray()) {
      out.put(
          "scalar",
          Map.of(result.get(0).decimalValue().movePointRight(3).longValue(), value(result.get(1))));
      return out;
    }
    for (JsonNode x : result) {
      Map<Long, Double> points = new TreeMap<>();
      List<JsonNode> pts = new ArrayList<>();
      if (x.has("value")) {
        pts.add(x.get("value"));
      } else {
        x.path("values").forEach(pts::add);
      }
      for (JsonNode p : pts) {
        points.put(p.get(0).decimalValue().movePointRight(3).longValue(), value(p.get(1)));
      }
      out.put(x.path("metric").toString(), points);
    }
    return out;
  }

  private static double value(JsonNode v) {
    return switch (v.asText()) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v.asText());
    };
  }

  /**
   * A query as Grafana sends it for the range {@code r} ending {@code now}, for tenant acme:
   * "today" panels ({@code timeFrom: now/d}) over the hours since midnight.
   */
  private static String expand(Dashboards.Query q, Dashboards.Range r, long now) {
    long midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    Duration range = q.timeFrom().equals("now/d") ? Duration.ofSeconds(now - midnight) : r.length();
    return r.expand(q.expr(), Map.of("tenant", "acme", "slo", "stock-sync-freshness"), range);
  }

  /**
   * A time both sources saw the standby stream through, from 20 seconds before to 10 after, once
   * what was scraped (Prometheus) and pushed (the collector) up to then has landed. The two see a
   * break of the stream a few seconds apart (Prometheus scrapes the agent, the agent pushes its own
   * scrapes): a break right at the time compared would differ between them, and is waited out.
   */
  private static long settledWhileStreaming(Source ours, Source theirs) throws Exception {
    while (true) {
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(5))
          .until(
              () -> {
                long t = Instant.now().getEpochSecond();
                return streaming(ours, t, 20) && streaming(theirs, t, 20);
              });
      long now = Instant.now().getEpochSecond();
      Thread.sleep(Duration.ofSeconds(25).toMillis());
      if (streaming(ours, now + 10, 30) && streaming(theirs, now + 10, 30)) {
        return now;
      }
    }
  }

  /** Whether the primary had a streaming standby through the {@code seconds} up to {@code at}. */
  private static boolean streaming(Source s, long at, int seconds) throws Exception {
    return !series(
            s,
            "min_over_time(tillwatch_pg_replication_streaming[" + seconds + "s]) == 1",
            true,
            at,
            null)
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
    JsonNode result = query(s, form(expr, instant, now, r));
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

  /** A query's form as Grafana posts it: an instant at {@code now}, or over {@code r} to it. */
  private static String form(String expr, boolean instant, long now, Dashboards.Range r) {
    return instant
        ? "query=" + enc(expr) + "&time=" + now
        : "query="
            + enc(expr)
            + "&start="
            + (now - r.length().toSeconds())
            + "&end="
            + now
            + "&step="
            + r.interval().toSeconds();
  }

  /** The {@code result} of a query posted as a form (an instant one when it has no step). */
  private static JsonNode query(Source s, String form) throws Exception {
    boolean instant = !form.contains("&step=");
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
    assertThat(resp.statusCode()).as(s.name() + " " + form + ": " + resp.body()).isEqualTo(200);
    return JSON.readTree(resp.body()).path("data").path("result");
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
