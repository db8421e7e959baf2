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

  /** One tenant's part of a batch: the request body and its samples. */
  public record Part(byte[] body, int samples) {}

  /**
   * A batch's samples by tenant (the {@code tenant} attribute of each data point, as {@link
   * #encode} writes them), each part a request of its own with the same metrics' metadata.
   */
  public static Map<String, Part> splitByTenant(byte[] body) {
    ExportMetricsServiceRequest request;
    try {
      request = ExportMetricsServiceRequest.parseFrom(body);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Map.of(); // not ours to split: held whole
    }
    Map<String, Map<String, Metric.Builder>> byTenant = new LinkedHashMap<>();
    Map<String, Integer> samples = new LinkedHashMap<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          List<NumberDataPoint> points =
              m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
          for (NumberDataPoint p : points) {
            String tenant = "";
            for (KeyValue kv : p.getAttributesList()) {
              if (kv.getKey().equals("tenant")) {
                tenant = kv.getValue().getStringValue();
              }
            }
            samples.merge(tenant, 1, Integer::sum);
            Metric.Builder part =
                byTenant
                    .computeIfAbsent(tenant, t -> new LinkedHashMap<>())
                    .computeIfAbsent(
                        m.getName(),
                        n -> {
                          Metric.Builder b = m.toBuilder();
                          if (m.hasSum()) {
                            b.getSumBuilder().clearDataPoints();
                          } else {
                            b.getGaugeBuilder().clearDataPoints();
                          }
                          return b;
                        });
            if (part.hasSum()) {
              part.getSumBuilder().addDataPoints(p);
            } else {
              part.getGaugeBuilder().addDataPoints(p);
            }
          }
        }
      }
    }
    Map<String, Part> out = new LinkedHashMap<>();
    byTenant.forEach(
        (tenant, metrics) -> {
          ScopeMetrics.Builder scope =
              ScopeMetrics.newBuilder()
                  .setScope(InstrumentationScope.newBuilder().setName("io.tillwatch.agent"));
          metrics.values().forEach(scope::addMetrics);
          out.put(
              tenant,
              new Part(
                  ExportMetricsServiceRequest.newBuilder()
                      .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope))
                      .build()
                      .toByteArray(),
                  samples.get(tenant)));
        });
    return out;
  }

  /**
   * The message of an OTLP error answer (a {@code google.rpc.Status}: field 2), or the body as text
   * when it is not one.
   */
  public static String statusMessage(byte[] body) {
    try {
      com.google.protobuf.CodedInputStream in =
          com.google.protobuf.CodedInputStream.newInstance(body);
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == ((2 << 3) | 2)) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (java.io.IOException e) {
      // not a Status: said as text below
    }
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    return text.length() > 300 ? text.substring(0, 300) : text;
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
