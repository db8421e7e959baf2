package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tillwatch.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real OpenTelemetry Java SDK and its OTLP/HTTP exporter sending to the collector. */
class OpenTelemetrySdkIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  /** Passes every export to the real OTLP exporter and keeps a copy of what was sent. */
  private static final class Recording implements MetricExporter {
    final MetricExporter otlp;
    final List<MetricData> sent = new CopyOnWriteArrayList<>();

    Recording(MetricExporter otlp) {
      this.otlp = otlp;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      CompletableResultCode result = otlp.export(metrics);
      result.join(10, TimeUnit.SECONDS);
      if (result.isSuccess()) {
        sent.addAll(metrics);
      }
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return otlp.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return otlp.shutdown();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return otlp.getAggregationTemporality(type);
    }

    @Override
    public MemoryMode getMemoryMode() {
      return MemoryMode.IMMUTABLE_DATA;
    }
  }

  @Test
  void whatTheSdkSentIsStoredExactly() throws Exception {
    String db = "otelsdk";
    PG.createDatabase(db);
    try (Backend c = TestCollectors.start(PG.server(), db)) {
      Recording exporter =
          new Recording(
              OtlpHttpMetricExporter.builder()
                  .setEndpoint("http://127.0.0.1:" + c.port() + "/v1/metrics")
                  .addHeader("Authorization", "Bearer " + TestCollectors.ACME)
                  .build());
      Resource resource =
          Resource.getDefault()
              .merge(
                  Resource.create(
                      Attributes.of(
                          AttributeKey.stringKey("tenant"), "acme",
                          AttributeKey.stringKey("service.name"), "pos-gateway")));
      PeriodicMetricReader reader =
          PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
      try (SdkMeterProvider provider =
          SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build()) {
        Meter meter = provider.get("io.tillwatch.test");
        LongCounter tx = meter.counterBuilder("pos.transactions").setUnit("1").build();
        LongUpDownCounter open = meter.upDownCounterBuilder("pos.sessions.open").build();
        DoubleHistogram checkout = meter.histogramBuilder("checkout.duration").setUnit("s").build();
        meter
            .gaugeBuilder("stock.sync.lag")
            .buildWithCallback(
                g ->
                    g.record(42.5, Attributes.of(AttributeKey.stringKey("channel"), "root.stock")));
        Attributes berlin = Attributes.of(AttributeKey.stringKey("store"), "berlin-01");
        Attributes hamburg = Attributes.of(AttributeKey.stringKey("store"), "hamburg-02");
        for (int round = 0; round < 3; round++) {
          tx.add(7 + round, berlin);
          tx.add(3, hamburg);
          open.add(round % 2 == 0 ? 2 : -1, berlin);
          for (int i = 0; i < 25; i++) {
            checkout.record(0.05 * i + round, berlin);
          }
          assertThat(provider.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
          Thread.sleep(5); // distinct timestamps between rounds
        }
      }
      assertThat(exporter.sent).isNotEmpty();
      TreeSet<String> expected = new TreeSet<>();
      for (MetricData m : exporter.sent) {
        expected.addAll(expectedSamples(m));
      }
      TreeSet<String> stored = new TreeSet<>();
      try (Connection conn = PG.server().connect(db);
          Statement s = conn.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT s.metric, s.labels::text,"
                      + " (extract(epoch from x.time) * 1000)::bigint, x.value"
                      + " FROM samples x JOIN series s ON s.id = x.series_id")) {
        while (rs.next()) {
          Map<String, String> labels =
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readValue(
                      rs.getString(2),
                      new com.fasterxml.jackson.core.type.TypeReference<
                          TreeMap<String, String>>() {});
          stored.add(sample(rs.getString(1), labels, rs.getLong(3), rs.getDouble(4)));
        }
      }
      TreeSet<String> missing = new TreeSet<>(expected);
      missing.removeAll(stored);
      TreeSet<String> extra = new TreeSet<>(stored);
      extra.removeAll(expected);
      assertThat(missing).as("sent but not stored").isEmpty();
      assertThat(extra).as("stored but not sent").isEmpty();
      assertThat(stored).anyMatch(x -> x.startsWith("pos_transactions_total{"));
      assertThat(stored)
          .anyMatch(x -> x.startsWith("checkout_duration_bucket{") && x.contains("le=+Inf"));
    }
  }

  /** The samples a metric should become, by the documented mapping, computed here on its own. */
  private static List<String> expectedSamples(MetricData m) {
    Map<String, String> base = new TreeMap<>();
    m.getResource()
        .getAttributes()
        .forEach((k, v) -> base.put(k.getKey().replace('.', '_'), String.valueOf(v)));
    String name = m.getName().replace('.', '_');
    List<String> out = new ArrayList<>();
    for (PointData p : m.getData().getPoints()) {
      Map<String, String> labels = new TreeMap<>(base);
      p.getAttributes()
          .forEach((k, v) -> labels.put(k.getKey().replace('.', '_'), String.valueOf(v)));
      long t = p.getEpochNanos() / 1_000_000L;
      switch (m.getType()) {
        case LONG_SUM -> {
          boolean monotonic = m.getLongSumData().isMonotonic();
          out.add(
              sample(
                  monotonic ? name + "_total" : name, labels, t, ((LongPointData) p).getValue()));
        }
        case DOUBLE_GAUGE -> out.add(sample(name, labels, t, ((DoublePointData) p).getValue()));
        case HISTOGRAM -> {
          HistogramPointData h = (HistogramPointData) p;
          long cumulative = 0;
          for (int i = 0; i < h.getBoundaries().size(); i++) {
            cumulative += h.getCounts().get(i);
            Map<String, String> b = new TreeMap<>(labels);
            double bound = h.getBoundaries().get(i);
            b.put(
                "le",
                bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound));
            out.add(sample(name + "_bucket", b, t, cumulative));
          }
          Map<String, String> inf = new TreeMap<>(labels);
          inf.put("le", "+Inf");
          out.add(sample(name + "_bucket", inf, t, h.getCount()));
          out.add(sample(name + "_sum", labels, t, h.getSum()));
          out.add(sample(name + "_count", labels, t, h.getCount()));
        }
        default -> throw new AssertionError("unexpected metric type " + m.getType());
      }
    }
    return out;
  }

  private static String sample(String name, Map<String, String> labels, long t, double v) {
    return name + labels + " " + t + " " + v;
  }
}
