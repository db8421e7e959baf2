package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.store.Compaction;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.sandbox.PrometheusServer;
import io.tillwatch.testkit.PostgresExtension;
import java.io.BufferedWriter;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range queries against the real Prometheus over the same samples: two and a half days of counters
 * (with resets and a gap) and gauges, which the collector holds in all three places at once
 * (compressed chunks for the first day, rows after it, the head for the last hours), and Prometheus
 * in blocks made by {@code promtool tsdb create-blocks-from}. Every series and point of every
 * answer must agree.
 */
@Timeout(300)
class RangeQueryOracleIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long STEP = 15_000;

  private static Backend collector;
  private static PrometheusServer prometheus;
  private static long start;
  private static long end;

  /** The samples, by series (name and labels as OpenMetrics writes them). */
  private static final Map<String, List<double[]>> SAMPLES = new HashMap<>();

  @BeforeAll
  static void load() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(PrometheusServer.BINARY) || System.getenv("CI") != null,
        "prometheus not installed");
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    start = today.minus(Duration.ofDays(2)).toEpochMilli();
    end = (System.currentTimeMillis() - 60_000) / STEP * STEP;
    generate();
    PG.createDatabase("oracle");
    CollectorConfig config =
        TestCollectors.config(
            PG.server(), "oracle", Duration.ofMinutes(1), AlertingConfig.NONE, QueryConfig.DEFAULT);
    try (PgStore store =
        PgStore.open(
            config.storage().url().orElseThrow(),
            config.storage().user(),
            config.storage().password(),
            config.storage().retention())) {
      SampleBatch batch = new SampleBatch();
      for (Map.Entry<String, List<double[]>> e : SAMPLES.entrySet()) {
        Series s = series(e.getKey());
        for (double[] tv : e.getValue()) {
          batch.add(s, (long) tv[0], tv[1], false);
        }
      }
      store.write(List.of(batch));
      // the first day into chunks; yesterday and today stay rows
      Compaction.Result r = store.compact(today.minus(Duration.ofDays(1)));
      assertThat(r.stretches()).isEqualTo(1);
    }
    // the head loads the last 3 hours from storage
    collector = TestCollectors.start(config, List.of(), Map.of());
    assertThat(collector.headLoadedSamples()).isPositive();
    Path om = Files.createTempFile("tillwatch-oracle", ".om");
    try {
      writeOpenMetrics(om);
      prometheus =
          PrometheusServer.start(
              "global: {}\n",
              Map.of(),
              dir -> PrometheusServer.createBlocks(om, dir.resolve("tsdb")),
              List.of("--storage.tsdb.retention.time=30d"));
    } finally {
      Files.deleteIfExists(om);
    }
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  /** Counters with resets and a 20-minute gap, gauges with NaNs: deterministic. */
  private static void generate() {
    Random r = new Random(11);
    double ca = 0;
    double cb = 0;
    for (long t = start; t <= end; t += STEP) {
      long k = (t - start) / STEP;
      ca = k % 3000 == 2999 ? 0 : ca + r.nextInt(10); // a restart every 12.5 hours
      add("requests_total{tenant=\"a\"}", t, ca);
      cb += 0.5 + r.nextInt(3);
      if (k % 5760 < 4000 || k % 5760 >= 4080) { // 20 minutes missing every day
        add("requests_total{tenant=\"b\"}", t, cb);
      }
      double g = 50 + 30 * Math.sin(k / 500.0) + r.nextGaussian();
      add("lag_seconds{tenant=\"a\"}", t + r.nextInt(1000), k % 997 == 0 ? Double.NaN : g);
      add("lag_seconds{tenant=\"b\"}", t, Math.round(g * 4) / 4.0);
    }
  }

  private static void add(String series, long t, double v) {
    SAMPLES.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[] {t, v});
  }

  private static Series series(String text) {
    int brace = text.indexOf('{');
    String tenant = text.substring(text.indexOf('"') + 1, text.lastIndexOf('"'));
    return new Series(text.substring(0, brace), Labels.of("tenant", tenant));
  }

  private static void writeOpenMetrics(Path file) throws Exception {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (String name : List.of("requests_total", "lag_seconds")) {
        w.write("# TYPE " + name + " gauge\n");
        for (Map.Entry<String, List<double[]>> e : SAMPLES.entrySet()) {
          if (!e.getKey().startsWith(name + "{")) {
            continue;
          }
          for (double[] tv : e.getValue()) {
            // OpenMetrics timestamps are seconds: milliseconds as a decimal fraction
            w.write(
                e.getKey()
                    + " "
                    + tv[1]
                    + " "
                    + java.math.BigDecimal.valueOf((long) tv[0], 3)
                    + "\n");
          }
        }
      }
      w.write("# EOF\n");
    }
  }

  private static JsonNode query(URI base, String token, String expr, long from, long to, long step)
      throws Exception {
    String path =
        "/api/v1/query_range?query="
            + URLEncoder.encode(expr, StandardCharsets.UTF_8)
            + "&start="
            + from / 1000
            + "&end="
            + to / 1000
            + "&step="
            + step / 1000;
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(expr + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("data").path("result");
  }

  /** Differences between two matrices: series by labels, then every point (1e-9 relative). */
  private static List<String> differences(String expr, JsonNode ours, JsonNode theirs) {
    List<String> out = new ArrayList<>();
    Map<String, JsonNode> byLabels = new HashMap<>();
    for (JsonNode s : theirs) {
      byLabels.put(s.path("metric").toString(), s.path("values"));
    }
    if (ours.size() != theirs.size()) {
      out.add(expr + ": " + ours.size() + " series, Prometheus " + theirs.size());
    }
    for (JsonNode s : ours) {
      JsonNode want = byLabels.get(s.path("metric").toString());
      JsonNode got = s.path("values");
      if (want == null) {
        out.add(expr + ": series " + s.path("metric") + " that Prometheus does not have");
        continue;
      }
      if (got.size() != want.size()) {
        out.add(
            expr
                + " "
                + s.path("metric")
                + ": "
                + got.size()
                + " points, Prometheus "
                + want.size());
        continue;
      }
      for (int i = 0; i < got.size(); i++) {
        double x = Double.parseDouble(got.get(i).get(1).asText());
        double y = Double.parseDouble(want.get(i).get(1).asText());
        boolean same =
            got.get(i).get(0).asDouble() == want.get(i).get(0).asDouble()
                && (Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))
                    || (Double.isNaN(x) && Double.isNaN(y)));
        if (!same) {
          out.add(
              expr
                  + " "
                  + s.path("metric")
                  + " at "
                  + got.get(i).get(0)
                  + ": "
                  + x
                  + ", Prometheus "
                  + y);
          break;
        }
      }
    }
    return out;
  }

  @Test
  void everyAnswerIsPrometheusAnswer() throws Exception {
    List<String> expressions =
        List.of(
            "requests_total",
            "rate(requests_total[5m])",
            "increase(requests_total[1h])",
            "sum by (tenant) (rate(requests_total[10m]))",
            "sum(increase(requests_total[1h])) / sum(increase(requests_total[2h]))",
            "resets(requests_total[6h])",
            "count_over_time(requests_total[30m])",
            "lag_seconds",
            "lag_seconds offset 1h",
            "max_over_time(lag_seconds[30m])",
            "avg_over_time(lag_seconds[1h])",
            "quantile_over_time(0.9, lag_seconds[1h])",
            "delta(lag_seconds[15m])",
            "deriv(lag_seconds[10m])",
            "changes(lag_seconds[20m])",
            "last_over_time(lag_seconds[10m])",
            "max_over_time(rate(requests_total[5m])[1h:5m])",
            "min_over_time(lag_seconds[10m:1m])",
            "requests_total @ end()",
            "rate(requests_total[30m] @ end())");
    URI ours = URI.create("http://127.0.0.1:" + collector.port());
    List<String> problems = new ArrayList<>();
    int points = 0;
    // the whole span at 5 minutes (chunks, rows and head), and the last 6 hours at 1 minute
    // (rows and head, across the head's start)
    long[][] ranges = {{start, end, 300_000}, {end - 6 * 3_600_000L, end, 60_000}};
    for (long[] range : ranges) {
      for (String e : expressions) {
        JsonNode got = query(ours, PLATFORM, e, range[0], range[1], range[2]);
        JsonNode want = query(prometheus.url(), null, e, range[0], range[1], range[2]);
        assertThat(want.size()).as(e + " is answered by Prometheus").isPositive();
        problems.addAll(differences(e, got, want));
        for (JsonNode s : got) {
          points += s.path("values").size();
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(points).isGreaterThan(20_000);
  }
}
