package io.tillwatch.agent.push;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tillwatch.model.Labels;
import io.tillwatch.model.MetricType;
import io.tillwatch.model.Sample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scrape results to one OTLP {@code ExportMetricsServiceRequest}, so that the collector stores
 * exactly the series {@code /metrics} shows: a counter is a monotonic cumulative sum under its
 * {@code _total} name; everything else, histogram buckets, sums and counts included, is a gauge
 * under its series name. Labels, {@code tenant} and {@code target} among them, are data point
 * attributes; the resource has none, so it adds no labels.
 */
public final class OtlpEncoder {
  /** Samples of one scrape and the time they are stamped with. */
  public record Scrape(long timeMillis, List<Sample> samples) {}

  private OtlpEncoder() {}

  public static ExportMetricsServiceRequest encode(List<Scrape> scrapes) {
    Map<String, Metric.Builder> metrics = new LinkedHashMap<>();
    for (Scrape scrape : scrapes) {
      long nanos = scrape.timeMillis() * 1_000_000L;
      for (Sample s : scrape.samples()) {
        boolean counter = s.metric().type() == MetricType.COUNTER && s.suffix().isEmpty();
        String name = s.name();
        Metric.Builder m =
            metrics.computeIfAbsent(
                name,
                n -> {
                  Metric.Builder b =
                      Metric.newBuilder().setName(n).setDescription(s.metric().help());
                  if (counter) {
                    b.setSum(
                        Sum.newBuilder()
                            .setIsMonotonic(true)
                            .setAggregationTemporality(
                                AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE));
                  } else {
                    b.setGauge(Gauge.newBuilder());
                  }
                  return b;
                });
        NumberDataPoint p = point(s.labels(), nanos, s.value());
        if (m.hasSum()) {
          m.getSumBuilder().addDataPoints(p);
        } else {
          m.getGaugeBuilder().addDataPoints(p);
        }
      }
    }
    ScopeMetrics.Builder scope =
        ScopeMetrics.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.tillwatch.agent"));
    metrics.values().forEach(scope::addMetrics);
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope))
        .build();
  }

  private static NumberDataPoint point(Labels labels, long nanos, double value) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(nanos);
    List<String> names = labels.names();
    List<String> values = labels.values();
    for (int i = 0; i < names.size(); i++) {
      p.addAttributes(
          KeyValue.newBuilder()
              .setKey(names.get(i))
              .setValue(AnyValue.newBuilder().setStringValue(values.get(i))));
    }
    if (io.tillwatch.promql.SeriesSource.isStale(value)) {
      // a series the target no longer exposes: OTLP's "no recorded value"
      return p.setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE).build();
    }
    return p.setAsDouble(value).build();
  }
}
