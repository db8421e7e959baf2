package io.tillwatch.collector.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * OTLP/HTTP metrics ({@code ExportMetricsServiceRequest}, protobuf or JSON, optionally gzip) to
 * Prometheus-style samples. The mapping (docs/otlp.md):
 *
 * <ul>
 *   <li>labels are the resource's attributes, then the scope's, then the data point's (a later one
 *       wins); names are sanitised to {@code [a-zA-Z_][a-zA-Z0-9_]*} ({@code service.name} becomes
 *       {@code service_name}); empty values are dropped; every series needs {@code tenant};
 *   <li>a gauge keeps its name; a monotonic sum gets {@code _total} unless it has it; a histogram
 *       gives {@code _bucket{le}} (cumulative, {@code +Inf} equal to the count), {@code _sum} and
 *       {@code _count}; a summary gives {@code {quantile}}, {@code _sum} and {@code _count};
 *   <li>delta sums and histograms are marked, and accumulated into cumulative series by {@link
 *       DeltaAccumulator} once the request is accepted; exponential histograms are rejected
 *       (reported in the partial success).
 * </ul>
 *
 * <p>One instance a request; not thread-safe.
 */
public final class OtlpMetricsDecoder {
  /** What a request decodes to. */
  public record Decoded(SampleBatch batch, long rejectedPoints, String rejectReason) {}

  private final int maxBodyBytes;
  // the tenant of the series series() made last (decoding is confined to one thread a request)
  private String lastTenant;

  /**
   * @param maxBodyBytes the largest body accepted once unzipped
   */
  public OtlpMetricsDecoder(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Parses a request body; {@link IngestException} 400/415 when it cannot be read. */
  public ExportMetricsServiceRequest parse(byte[] body, String contentType, String encoding) {
    byte[] raw = body;
    if (encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
      if (!encoding.equalsIgnoreCase("gzip")) {
        throw new IngestException(415, "unsupported Content-Encoding '" + encoding + "' (gzip)");
      }
      raw = gunzip(body);
    }
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    try {
      if (type.startsWith("application/x-protobuf") || type.startsWith("application/protobuf")) {
        return ExportMetricsServiceRequest.parseFrom(raw);
      }
      if (type.startsWith("application/json")) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        JsonFormat.parser()
            .ignoringUnknownFields()
            .merge(new String(raw, StandardCharsets.UTF_8), b);
        return b.build();
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IngestException(400, "not an OTLP ExportMetricsServiceRequest: " + e.getMessage());
    } catch (RuntimeException e) { // JSON syntax errors surface as unchecked exceptions
      throw new IngestException(400, "not an OTLP ExportMetricsServiceRequest: " + e.getMessage());
    }
    throw new IngestException(
        415,
        "unsupported Content-Type '"
            + contentType
            + "' (application/x-protobuf or application/json)");
  }

  private byte[] gunzip(byte[] body) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      byte[] out = in.readNBytes(maxBodyBytes + 1);
      if (out.length > maxBodyBytes) {
        throw new IngestException(413, "body larger than " + maxBodyBytes + " bytes once unzipped");
      }
      return out;
    } catch (IOException e) {
      throw new IngestException(400, "body is not valid gzip: " + e.getMessage());
    }
  }

  /** The samples of a request; {@link IngestException} 400 when a series has no tenant. */
  public Decoded decode(ExportMetricsServiceRequest request, long nowMillis) {
    SampleBatch batch = new SampleBatch();
    long rejected = 0;
    String reason = "";
    List<String> pairs = new ArrayList<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        pairs.clear();
        attributes(rm.getResource().getAttributesList(), pairs);
        attributes(sm.getScope().getAttributesList(), pairs);
        int common = pairs.size();
        for (Metric m : sm.getMetricsList()) {
          String name = metricName(m.getName());
          switch (m.getDataCase()) {
            case GAUGE -> {
              for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
                number(batch, name, p, pairs, common, false, nowMillis);
              }
            }
            case SUM -> {
              boolean monotonic = m.getSum().getIsMonotonic();
              boolean delta =
                  m.getSum().getAggregationTemporality()
                      == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
              String sumName = monotonic && !name.endsWith("_total") ? name + "_total" : name;
              for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                number(batch, sumName, p, pairs, common, monotonic && delta, nowMillis);
              }
            }
            case HISTOGRAM -> {
              boolean delta =
                  m.getHistogram().getAggregationTemporality()
                      == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
              for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                histogram(batch, name, p, pairs, common, delta, nowMillis);
              }
            }
            case SUMMARY -> {
              for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
                summary(batch, name, p, pairs, common, nowMillis);
              }
            }
            case EXPONENTIAL_HISTOGRAM -> {
              rejected += m.getExponentialHistogram().getDataPointsCount();
              reason = "exponential histograms are not stored (" + m.getName() + ")";
            }
            default -> {} // no data
          }
        }
      }
    }
    return new Decoded(batch, rejected, reason);
  }

  private void number(
      SampleBatch batch,
      String name,
      NumberDataPoint p,
      List<String> pairs,
      int common,
      boolean accumulate,
      long now) {
    Series s = series(name, pairs, common, p.getAttributesList(), null, null);
    if (noRecordedValue(p.getFlags())) {
      // the series is gone (its target stopped exposing it): a stale marker, as Prometheus
      // writes when a scrape no longer has a series, so queries stop seeing it at once
      batch.add(s, lastTenant, time(p.getTimeUnixNano(), now), STALE, false);
      return;
    }
    double v =
        p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
    batch.add(s, lastTenant, time(p.getTimeUnixNano(), now), v, accumulate);
  }

  private void histogram(
      SampleBatch batch,
      String name,
      HistogramDataPoint p,
      List<String> pairs,
      int common,
      boolean accumulate,
      long now) {
    if (noRecordedValue(p.getFlags())) {
      return;
    }
    long t = time(p.getTimeUnixNano(), now);
    List<KeyValue> attrs = p.getAttributesList();
    long cumulative = 0;
    int bounds = p.getExplicitBoundsCount();
    for (int i = 0; i <= bounds; i++) {
      cumulative += i < p.getBucketCountsCount() ? p.getBucketCounts(i) : 0;
      String le = i < bounds ? formatBound(p.getExplicitBounds(i)) : "+Inf";
      Series s = series(name + "_bucket", pairs, common, attrs, "le", le);
      double v = i < bounds ? cumulative : p.getCount();
      batch.add(s, lastTenant, t, v, accumulate);
    }
    if (p.hasSum()) {
      Series s = series(name + "_sum", pairs, common, attrs, null, null);
      batch.add(s, lastTenant, t, p.getSum(), accumulate);
    }
    Series c = series(name + "_count", pairs, common, attrs, null, null);
    batch.add(c, lastTenant, t, p.getCount(), accumulate);
  }

  private void summary(
      SampleBatch batch,
      String name,
      SummaryDataPoint p,
      List<String> pairs,
      int common,
      long now) {
    if (noRecordedValue(p.getFlags())) {
      return;
    }
    long t = time(p.getTimeUnixNano(), now);
    List<KeyValue> attrs = p.getAttributesList();
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      batch.add(
          series(name, pairs, common, attrs, "quantile", formatBound(q.getQuantile())),
          t,
          q.getValue(),
          false);
    }
    batch.add(series(name + "_sum", pairs, common, attrs, null, null), t, p.getSum(), false);
    batch.add(series(name + "_count", pairs, common, attrs, null, null), t, p.getCount(), false);
  }

  private Series series(
      String name,
      List<String> pairs,
      int common,
      List<KeyValue> pointAttributes,
      String extraName,
      String extraValue) {
    while (pairs.size() > common) {
      pairs.removeLast();
    }
    attributes(pointAttributes, pairs);
    if (extraName != null) {
      pairs.add(extraName);
      pairs.add(extraValue);
    }
    Labels labels = Labels.ofCheckedPairs(pairs.toArray(String[]::new), pairs.size());
    String tenant = labels.get("tenant");
    lastTenant = tenant;
    if (tenant == null) {
      throw new IngestException(
          400,
          "series "
              + name
              + labels
              + " has no tenant: set the attribute 'tenant' on the resource or the data point");
    }
    return new Series(name, labels);
  }

  private static void attributes(List<KeyValue> attributes, List<String> pairs) {
    for (KeyValue kv : attributes) {
      String name = labelName(kv.getKey());
      if (name.equals("__name__")) {
        continue;
      }
      pairs.add(name);
      pairs.add(text(kv.getValue()));
    }
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> formatBound(v.getDoubleValue());
      case ARRAY_VALUE -> {
        List<String> parts = new ArrayList<>();
        for (AnyValue x : v.getArrayValue().getValuesList()) {
          parts.add(text(x));
        }
        yield "[" + String.join(",", parts) + "]";
      }
      case KVLIST_VALUE -> {
        List<String> parts = new ArrayList<>();
        for (KeyValue x : v.getKvlistValue().getValuesList()) {
          parts.add(x.getKey() + "=" + text(x.getValue()));
        }
        yield "{" + String.join(",", parts) + "}";
      }
      case BYTES_VALUE -> java.util.HexFormat.of().formatHex(v.getBytesValue().toByteArray());
      default -> "";
    };
  }

  /** The data point says it has no value (a series that ended): nothing to store. */
  private static final double STALE =
      Double.longBitsToDouble(io.tillwatch.promql.SeriesSource.STALE_NAN_BITS);

  private static boolean noRecordedValue(int flags) {
    return (flags & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) != 0;
  }

  private static long time(long unixNanos, long now) {
    return unixNanos == 0 ? now : unixNanos / 1_000_000L;
  }

  /** A bucket bound or quantile as Prometheus writes it: {@code 0.5}, {@code 10}, {@code +Inf}. */
  static String formatBound(double d) {
    if (d == Double.POSITIVE_INFINITY) {
      return "+Inf";
    }
    if (d == Double.NEGATIVE_INFINITY) {
      return "-Inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** Sanitised attribute keys: a request repeats the same few keys on every point. */
  private static final java.util.concurrent.ConcurrentHashMap<String, String> LABEL_NAMES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A label name from an attribute key: {@code service.name} → {@code service_name}. */
  static String labelName(String key) {
    String known = LABEL_NAMES.get(key);
    if (known != null) {
      return known;
    }
    String name = sanitizeLabelName(key).intern(); // "tenant" is then the literal itself
    if (LABEL_NAMES.size() < 10_000) {
      LABEL_NAMES.put(key, name);
    }
    return name;
  }

  private static String sanitizeLabelName(String key) {
    StringBuilder b = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      b.append(ok ? c : '_');
    }
    if (b.isEmpty() || (b.charAt(0) >= '0' && b.charAt(0) <= '9')) {
      b.insert(0, "key_");
    }
    return b.toString();
  }

  /** A metric name from an instrument name: characters outside {@code [a-zA-Z0-9_:]} become _. */
  static String metricName(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || c == ':'
              || (c >= '0' && c <= '9');
      b.append(ok ? c : '_');
    }
    if (b.isEmpty() || (b.charAt(0) >= '0' && b.charAt(0) <= '9')) {
      b.insert(0, '_');
    }
    return b.toString();
  }
}
