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
import io.tillwatch.collector.config.IngestLimits;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
  /**
   * What a request decodes to.
   *
   * @param rejectedPoints samples not kept (over a limit, or of a kind not stored)
   * @param rejectReason why, for the first of them
   * @param rejected samples not kept, by tenant and reason ({@code label_value_too_long}, ...)
   */
  public record Decoded(
      SampleBatch batch,
      long rejectedPoints,
      String rejectReason,
      Map<String, Map<String, Long>> rejected) {}

  private final int maxBodyBytes;
  private final IngestLimits limits;
  // the tenant of the series series() made last (decoding is confined to one thread a request)
  private String lastTenant;
  // why series() refused the series it was asked for last, or null
  private String refusal;
  private String refusalText;
  private final Map<String, Map<String, Long>> rejected = new HashMap<>();
  private long rejectedCount;
  private String firstReason = "";
  private long minTime;
  private long maxTime;

  /**
   * @param maxBodyBytes the largest body accepted once unzipped
   */
  public OtlpMetricsDecoder(int maxBodyBytes) {
    this(maxBodyBytes, IngestLimits.defaults(java.time.Duration.ofDays(36_500)));
  }

  /**
   * @param maxBodyBytes the largest body accepted once unzipped
   * @param limits what each tenant may write
   */
  public OtlpMetricsDecoder(int maxBodyBytes, IngestLimits limits) {
    this.maxBodyBytes = maxBodyBytes;
    this.limits = limits;
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

  /**
   * The samples of a request; {@link IngestException} 400 when a series has no tenant or the
   * request holds more samples than {@code max_samples_per_request}. Samples over a tenant's other
   * limits are left out and counted in {@link Decoded#rejected}.
   */
  public Decoded decode(ExportMetricsServiceRequest request, long nowMillis) {
    SampleBatch batch = new SampleBatch();
    this.now = nowMillis;
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
              for (var p : m.getExponentialHistogram().getDataPointsList()) {
                Series s = series(name, pairs, common, p.getAttributesList(), null, null);
                reject(
                    s == null ? lastTenant : s.tenant(),
                    "exponential_histogram",
                    "exponential histograms are not stored (" + m.getName() + ")",
                    1);
              }
            }
            default -> {} // no data
          }
          if (batch.size() > limits.maxSamplesPerRequest()) {
            throw new IngestException(
                400,
                "the request holds more than "
                    + limits.maxSamplesPerRequest()
                    + " samples (max_samples_per_request): send smaller batches");
          }
        }
      }
    }
    return new Decoded(batch, rejectedCount, firstReason, rejected);
  }

  private long now;

  /** The tenant rejections are counted under when the data's tenant id cannot be one. */
  public static final String INVALID_TENANT = "(invalid)";

  /** Counts {@code n} samples of {@code tenant} left out for {@code reason}. */
  private void reject(String tenant, String reason, String text, long n) {
    // a tenant id that cannot be one is counted as such, never carried into a label
    String t =
        tenant == null || tenant.length() > IngestLimits.MAX_TENANT_ID_LENGTH || !storable(tenant)
            ? INVALID_TENANT
            : tenant;
    rejected.computeIfAbsent(t, x -> new HashMap<>()).merge(reason, n, Long::sum);
    if (rejectedCount == 0) {
      firstReason = text;
    }
    rejectedCount += n;
  }

  /** Whether {@code n} samples at {@code t} are within their tenant's window; counted if not. */
  private boolean inWindow(Series s, long t, long n) {
    IngestLimits l = limits.of(s.tenant());
    if (t < now - l.outOfOrderWindow().toMillis()) {
      reject(
          s.tenant(),
          "sample_too_old",
          "sample of "
              + s.name()
              + " older than "
              + l.outOfOrderWindow()
              + " (out_of_order_window)",
          n);
      return false;
    }
    if (t > now + l.creationGracePeriod().toMillis()) {
      reject(
          s.tenant(),
          "sample_too_far_in_future",
          "sample of "
              + s.name()
              + " more than "
              + l.creationGracePeriod()
              + " ahead of the collector's clock (creation_grace_period)",
          n);
      return false;
    }
    return true;
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
    if (s == null) {
      reject(lastTenant, refusal, refusalText, 1);
      return;
    }
    long t = time(p.getTimeUnixNano(), now);
    if (!inWindow(s, t, 1)) {
      return;
    }
    if (noRecordedValue(p.getFlags())) {
      // the series is gone (its target stopped exposing it): a stale marker, as Prometheus
      // writes when a scrape no longer has a series, so queries stop seeing it at once
      batch.add(s, lastTenant, t, STALE, false);
      return;
    }
    double v =
        p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
    batch.add(s, lastTenant, t, v, accumulate);
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
    int bounds = p.getExplicitBoundsCount();
    // the whole point is judged by its longest series (a bucket's): one verdict for all samples
    int samples = bounds + 2 + (p.hasSum() ? 1 : 0);
    if (series(name + "_bucket", pairs, common, attrs, "le", "+Inf") == null) {
      reject(lastTenant, refusal, refusalText, samples);
      return;
    }
    Series c = series(name + "_count", pairs, common, attrs, null, null);
    if (bounds + 1 > limits.of(c.tenant()).maxHistogramBuckets()) {
      reject(
          c.tenant(),
          "max_histogram_buckets",
          "histogram "
              + name
              + " has "
              + (bounds + 1)
              + " buckets, more than "
              + limits.of(c.tenant()).maxHistogramBuckets()
              + " (max_histogram_buckets)",
          samples);
      return;
    }
    if (!inWindow(c, t, samples)) {
      return;
    }
    long cumulative = 0;
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
    batch.add(c, c.tenant(), t, p.getCount(), accumulate);
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
    int samples = p.getQuantileValuesCount() + 2;
    Series probe = series(name + "_count", pairs, common, attrs, "quantile", "0");
    if (probe == null) {
      reject(lastTenant, refusal, refusalText, samples);
      return;
    }
    if (!inWindow(probe, t, samples)) {
      return;
    }
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
    refusal = refusal(name, labels, limits.of(tenant));
    return refusal == null ? new Series(name, labels) : null;
  }

  /**
   * Why a series may not be stored under {@code l} (a reason, its text in {@link #refusalText}), or
   * null: too many labels, a name or value too long, a value PostgreSQL cannot hold (NUL, a lone
   * UTF-16 surrogate), a tenant id that cannot be one.
   */
  private String refusal(String name, Labels labels, IngestLimits l) {
    String tenant = labels.get("tenant");
    if (tenant.length() > IngestLimits.MAX_TENANT_ID_LENGTH || !storable(tenant)) {
      refusalText =
          "tenant id longer than " + IngestLimits.MAX_TENANT_ID_LENGTH + " or not storable text";
      return "invalid_tenant";
    }
    if (labels.size() > l.maxLabelNamesPerSeries()) {
      refusalText =
          "series "
              + name
              + " has "
              + labels.size()
              + " labels, more than "
              + l.maxLabelNamesPerSeries()
              + " (max_label_names_per_series)";
      return "max_label_names_per_series";
    }
    if (name.length() > l.maxLabelValueLength()) {
      refusalText =
          "metric name longer than " + l.maxLabelValueLength() + " (max_label_value_length)";
      return "label_value_too_long";
    }
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.names().get(i);
      String v = labels.values().get(i);
      if (n.length() > l.maxLabelNameLength()) {
        refusalText =
            "a label name of "
                + name
                + " is longer than "
                + l.maxLabelNameLength()
                + " (max_label_name_length)";
        return "label_name_too_long";
      }
      if (v.length() > l.maxLabelValueLength()) {
        refusalText =
            "label "
                + n
                + " of "
                + name
                + " is longer than "
                + l.maxLabelValueLength()
                + " (max_label_value_length)";
        return "label_value_too_long";
      }
      if (!storable(v)) {
        refusalText = "label " + n + " of " + name + " holds NUL or a lone surrogate";
        return "invalid_label_value";
      }
    }
    return null;
  }

  /** Text PostgreSQL can store: no NUL, no lone UTF-16 surrogate. */
  static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
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
