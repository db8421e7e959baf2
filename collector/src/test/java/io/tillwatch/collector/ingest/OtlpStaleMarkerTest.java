package io.tillwatch.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.testkit.Otlp;
import org.junit.jupiter.api.Test;

class OtlpStaleMarkerTest {
  @Test
  void aPointWithNoRecordedValueBecomesAStaleMarkerOfItsSeries() {
    Gauge.Builder g =
        Gauge.newBuilder()
            .addDataPoints(
                NumberDataPoint.newBuilder()
                    .addAttributes(Otlp.attr("target", "acme-primary"))
                    .setTimeUnixNano(1_000_000_000_000L)
                    .setAsDouble(1))
            .addDataPoints(
                NumberDataPoint.newBuilder()
                    .addAttributes(Otlp.attr("target", "acme-primary"))
                    .setTimeUnixNano(1_005_000_000_000L)
                    .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE));
    ExportMetricsServiceRequest r =
        Otlp.request(
            "acme", Metric.newBuilder().setName("tillwatch_pg_replication_streaming").setGauge(g));
    OtlpMetricsDecoder.Decoded d = new OtlpMetricsDecoder(1 << 20).decode(r, 1_010_000L);
    assertThat(d.batch().size()).isEqualTo(2);
    assertThat(d.batch().value(0)).isEqualTo(1.0);
    assertThat(SeriesSource.isStale(d.batch().value(1))).isTrue();
    assertThat(d.batch().time(1)).isEqualTo(1_005_000L);
    assertThat(d.batch().series(1)).isEqualTo(d.batch().series(0));
  }
}
