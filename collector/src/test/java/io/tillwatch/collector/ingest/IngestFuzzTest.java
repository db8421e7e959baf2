package io.tillwatch.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.tillwatch.collector.config.IngestLimits;
import io.tillwatch.testkit.Otlp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated OTLP bodies, protobuf and JSON, through ingest's decoding: each ends as samples or as an
 * {@link IngestException} (a 4xx with a reason), never as anything else (a 500) — 100,000 of them,
 * from a fixed seed so that a failure can be replayed.
 */
class IngestFuzzTest {
  private static final int BODIES = 100_000;

  private static List<byte[]> seeds() throws Exception {
    long now = System.currentTimeMillis();
    List<byte[]> out = new ArrayList<>();
    out.add(Otlp.gauge("acme", "orders_open", "a", now, 20).toByteArray());
    out.add(Otlp.counter("acme", "orders", "200", now, 41).toByteArray());
    out.add(
        Otlp.request("acme", Metric.newBuilder().setName("sync").setSum(Otlp.deltaSum(now, 3)))
            .toByteArray());
    HistogramDataPoint.Builder p =
        HistogramDataPoint.newBuilder().setTimeUnixNano(now * 1_000_000L).setCount(4).setSum(2);
    for (int i = 0; i < 5; i++) {
      p.addExplicitBounds(0.1 * i).addBucketCounts(1);
    }
    p.addBucketCounts(0);
    out.add(
        Otlp.request(
                "acme",
                Metric.newBuilder()
                    .setName("latency")
                    .setHistogram(Histogram.newBuilder().addDataPoints(p)))
            .toByteArray());
    return out;
  }

  /** One random change: a byte flipped, cut short, a run repeated, a byte inserted. */
  private static byte[] mutate(byte[] b, Random r) {
    byte[] out = b.clone();
    int changes = 1 + r.nextInt(4);
    for (int c = 0; c < changes && out.length > 0; c++) {
      int at = r.nextInt(out.length);
      switch (r.nextInt(4)) {
        case 0 -> out[at] = (byte) r.nextInt(256);
        case 1 -> out = java.util.Arrays.copyOf(out, at);
        case 2 -> {
          int len = Math.min(out.length - at, 1 + r.nextInt(16));
          byte[] longer = new byte[out.length + len];
          System.arraycopy(out, 0, longer, 0, at + len);
          System.arraycopy(out, at, longer, at + len, out.length - at);
          out = longer;
        }
        default -> {
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = (byte) r.nextInt(256);
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  private static int run(byte[] body, String type, IngestLimits limits, Map<String, Integer> seen) {
    OtlpMetricsDecoder d = new OtlpMetricsDecoder(32 << 20, limits);
    try {
      d.decode(d.parse(body, type, null), System.currentTimeMillis());
      seen.merge("decoded", 1, Integer::sum);
      return 0;
    } catch (IngestException e) {
      assertThat(e.status()).isBetween(400, 499);
      assertThat(e.getMessage()).isNotBlank();
      seen.merge(Integer.toString(e.status()), 1, Integer::sum);
      return e.status();
    }
  }

  @Test
  void mutatedBodiesAreSamplesOrA4xxNeverAnythingElse() throws Exception {
    Random r = new Random(20261201);
    IngestLimits limits = IngestLimits.defaults(Duration.ofDays(90));
    List<byte[]> seeds = seeds();
    List<byte[]> json = new ArrayList<>();
    for (byte[] s : seeds) {
      json.add(
          JsonFormat.printer()
              .print(ExportMetricsServiceRequest.parseFrom(s))
              .getBytes(StandardCharsets.UTF_8));
    }
    Map<String, Integer> seen = new java.util.TreeMap<>();
    for (int i = 0; i < BODIES; i++) {
      boolean asJson = i % 2 == 1;
      List<byte[]> pool = asJson ? json : seeds;
      byte[] body = mutate(pool.get(r.nextInt(pool.size())), r);
      try {
        run(body, asJson ? "application/json" : "application/x-protobuf", limits, seen);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(
            "body " + i + " (" + (asJson ? "JSON" : "protobuf") + ") gave " + e, e);
      }
    }
    // both outcomes happen: the mutations reach past the parser
    assertThat(seen.get("decoded")).isGreaterThan(1000);
    assertThat(seen.get("400")).isGreaterThan(1000);
    System.out.println("IngestFuzzTest: " + BODIES + " bodies: " + seen);
  }
}
