package io.tillwatch.collector;

import static io.tillwatch.testkit.Otlp.attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.IngestLimits;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile or careless tenant against the collector's ingest limits, while a second tenant sends
 * steadily: each bad sample is rejected with its reason and counted per tenant, the rest of its
 * request is kept, and the second tenant's every request is stored whole.
 */
class IngestLimitsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final String PLATFORM = TestCollectors.PLATFORM;
  private static Backend collector;

  @BeforeAll
  static void start() throws Exception {
    PG.createDatabase("limits");
    CollectorConfig base = TestCollectors.config(PG.server(), "limits", 1_000_000);
    IngestLimits d = IngestLimits.defaults(Duration.ofDays(30));
    IngestLimits bomb =
        new IngestLimits(
            50,
            30,
            1024,
            2048,
            1_000_000,
            256,
            Duration.ofHours(1),
            Duration.ofMinutes(10),
            Map.of());
    collector =
        TestCollectors.start(
            base.withLimits(
                new IngestLimits(
                    d.maxSeriesPerTenant(),
                    d.maxLabelNamesPerSeries(),
                    d.maxLabelNameLength(),
                    d.maxLabelValueLength(),
                    20_000,
                    d.maxHistogramBuckets(),
                    d.outOfOrderWindow(),
                    d.creationGracePeriod(),
                    Map.of("bomb", bomb))),
            List.of(),
            Map.of());
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  /** A gauge point of {@code tenant} with these attributes and time. */
  private static ResourceMetrics.Builder points(
      String tenant, String name, long timeMillis, List<List<KeyValue>> attributes) {
    Gauge.Builder g = Gauge.newBuilder();
    for (List<KeyValue> a : attributes) {
      g.addDataPoints(
          NumberDataPoint.newBuilder()
              .addAllAttributes(a)
              .setTimeUnixNano(timeMillis * 1_000_000L)
              .setAsDouble(1));
    }
    return ResourceMetrics.newBuilder()
        .setResource(
            io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                .addAttributes(attr("tenant", tenant)))
        .addScopeMetrics(
            io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName(name).setGauge(g)));
  }

  private static HttpResponse<byte[]> send(ResourceMetrics.Builder... parts) {
    ExportMetricsServiceRequest.Builder r = ExportMetricsServiceRequest.newBuilder();
    for (ResourceMetrics.Builder p : parts) {
      r.addResourceMetrics(p);
    }
    return Otlp.post(collector.port(), PLATFORM, r.build());
  }

  private static long rejected(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return ExportMetricsServiceResponse.parseFrom(r.body())
        .getPartialSuccess()
        .getRejectedDataPoints();
  }

  private static double counted(String tenant, String reason) {
    var c =
        collector
            .meters()
            .find("tillwatch.ingest.rejected.samples")
            .tag("tenant", tenant)
            .tag("reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  private static List<List<KeyValue>> one(KeyValue... a) {
    List<List<KeyValue>> out = new ArrayList<>();
    out.add(List.of(a));
    return out;
  }

  @Test
  void badLabelsAndTimesAreRejectedWithTheirReasonAndTheRestKept() throws Exception {
    long now = System.currentTimeMillis();
    Random random = new Random(3);
    StringBuilder noise = new StringBuilder();
    for (int i = 0; i < 4000; i++) {
      noise.append((char) ('!' + random.nextInt(90)));
    }
    List<List<KeyValue>> mixed = new ArrayList<>();
    mixed.add(List.of(attr("series", "good")));
    mixed.add(List.of(attr("series", "nul\u0000here")));
    mixed.add(List.of(attr("series", noise.substring(0, 3000)))); // past 2,048 characters
    mixed.add(List.of(attr("x".repeat(1500), "long name")));
    List<KeyValue> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(attr("l" + i, "v"));
    }
    mixed.add(many);
    // within the limits but far past PostgreSQL's index row limit as one key: stored
    List<KeyValue> wide = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      wide.add(attr("w" + i, noise.substring(i * 100, i * 100 + 2000)));
    }
    mixed.add(wide);
    long kept =
        mixed.size()
            + 2
            - rejected(
                send(
                    points("careless", "labels_checked", now, mixed),
                    points("careless", "future_sample", now + 3_600_000L, one(attr("a", "b"))),
                    points("steady", "steady_gauge", now, one(attr("series", "s")))));
    assertThat(kept).as("the good series, the wide one and the steady tenant's").isEqualTo(3);
    assertThat(counted("careless", "invalid_label_value")).isEqualTo(1);
    assertThat(counted("careless", "label_value_too_long")).isEqualTo(1);
    assertThat(counted("careless", "label_name_too_long")).isEqualTo(1);
    assertThat(counted("careless", "max_label_names_per_series")).isEqualTo(1);
    assertThat(counted("careless", "sample_too_far_in_future")).isEqualTo(1);
    // a tenant id that cannot be one is rejected and counted as such, not as a label of its own
    assertThat(
            rejected(
                send(
                    points("bad\u0000tenant", "x", now, one(attr("a", "b"))),
                    points("steady", "steady_gauge", now + 1, one(attr("series", "s"))))))
        .isEqualTo(1);
    assertThat(counted("(invalid)", "invalid_tenant")).isEqualTo(1);
    await().until(() -> collector.head().series("labels_checked").size() == 2);
    assertThat(collector.head().series("steady_gauge")).hasSize(1);

    // a histogram of more buckets than allowed: the whole point, every one of its samples
    Histogram.Builder h = Histogram.newBuilder();
    HistogramDataPoint.Builder p =
        HistogramDataPoint.newBuilder().setTimeUnixNano(now * 1_000_000L).setCount(3).setSum(4);
    for (int i = 0; i < 1000; i++) {
      p.addExplicitBounds(i);
      p.addBucketCounts(0);
    }
    p.addBucketCounts(3);
    h.addDataPoints(p);
    HttpResponse<byte[]> r =
        Otlp.post(
            collector.port(),
            PLATFORM,
            Otlp.request(
                "careless", Metric.newBuilder().setName("wide_histogram").setHistogram(h)));
    // nothing kept: 400, with the count and the reason
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.ISO_8859_1))
        .contains("1003 samples rejected")
        .contains("max_histogram_buckets");
    assertThat(counted("careless", "max_histogram_buckets")).isEqualTo(1003);

    // too many samples in one request: refused whole, with the setting named
    List<List<KeyValue>> flood = new ArrayList<>();
    for (int i = 0; i < 20_001; i++) {
      flood.add(List.of(attr("i", Integer.toString(i))));
    }
    HttpResponse<byte[]> big = send(points("careless", "flood", now, flood));
    assertThat(big.statusCode()).isEqualTo(400);
    assertThat(new String(big.body(), StandardCharsets.ISO_8859_1))
        .contains("max_samples_per_request");
  }

  @Test
  void aGzipBombIsRefusedOnceItUnzipsPastTheBodyLimit() {
    // 40 MB of zeros, some 40 KB zipped: refused when the unzipped bytes pass 32 MB, not held
    byte[] zeros = new byte[40 * 1024 * 1024];
    HttpResponse<byte[]> r =
        Otlp.post(collector.port(), PLATFORM, "application/x-protobuf", zeros, true);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).contains("once unzipped");
  }

  @Test
  void aCardinalityBombStopsAtItsLimitWhileAnotherTenantFlows() throws Exception {
    long now = System.currentTimeMillis();
    ExecutorService steady = Executors.newSingleThreadExecutor();
    List<Future<Integer>> answers = new ArrayList<>();
    try {
      for (int round = 0; round < 20; round++) {
        long t = now + round;
        answers.add(
            steady.submit(
                () -> send(points("acme", "orders_open", t, one(attr("shop", "a")))).statusCode()));
      }
      long rejectedTotal = 0;
      for (int round = 0; round < 10; round++) {
        List<List<KeyValue>> series = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          series.add(List.of(attr("id", round + "-" + i)));
        }
        HttpResponse<byte[]> r = send(points("bomb", "exploding", now - round, series));
        if (r.statusCode() == 400) { // none kept: all 40 rejected, and said so
          assertThat(new String(r.body(), StandardCharsets.ISO_8859_1))
              .contains("40 samples rejected")
              .contains("max_series_per_tenant");
          rejectedTotal += 40;
        } else {
          rejectedTotal += rejected(r);
        }
      }
      // 400 series offered, 50 held: the rest rejected, counted
      assertThat(rejectedTotal).isEqualTo(350);
      assertThat(counted("bomb", "per_tenant_series_limit")).isEqualTo(350);
      await().until(() -> collector.head().seriesOf("bomb") == 50);
      // the samples of series it already has still go in
      List<List<KeyValue>> known = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        known.add(List.of(attr("id", "0-" + i)));
      }
      assertThat(rejected(send(points("bomb", "exploding", now + 1, known)))).isZero();
      // old samples: past this tenant's one-hour window
      assertThat(
              send(points("bomb", "exploding", now - 7_200_000L, one(attr("id", "0-1"))))
                  .statusCode())
          .isEqualTo(400);
      assertThat(counted("bomb", "sample_too_old")).isEqualTo(1);
      for (Future<Integer> a : answers) {
        assertThat(a.get()).isEqualTo(200);
      }
      await().until(() -> collector.head().samples() > 0);
      assertThat(collector.head().seriesOf("acme")).isEqualTo(1);
    } finally {
      steady.shutdownNow();
    }
  }
}
