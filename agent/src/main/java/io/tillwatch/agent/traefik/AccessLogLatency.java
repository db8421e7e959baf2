package io.tillwatch.agent.traefik;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Exact request latency from Traefik's JSON access log ({@code Duration} in ns, {@code
 * DownstreamStatus}, {@code ServiceName}), recorded in HdrHistogram (3 significant digits) per
 * service and status class, and exposed with SLO-grade buckets — where Traefik's own four buckets
 * (0.1, 0.3, 1.2, 5 s) cannot say how many requests took under 200 ms; and Odoo's logins from the
 * same lines ({@link LoginCounter}).
 */
final class AccessLogLatency {
  /** Bucket bounds in seconds. */
  static final double[] BOUNDS = {0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10};

  static final Metric DURATION =
      Metric.histogram(
          "tillwatch_http_request_duration_seconds",
          "Request latency from Traefik's access log, by service and status class (2xx, 5xx),"
              + " with SLO-grade buckets; within 0.1 % of the logged value.");
  static final Metric BAD_LINES =
      Metric.counter(
          "tillwatch_http_access_log_unreadable_lines_total",
          "Access log lines that were not JSON or lacked Duration/ServiceName.");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_MICROS = 3_600_000_000L; // an hour

  private record Series(Histogram histogram, double[] sumSeconds) {}

  private final FileTail tail;
  private final TraefikTargetConfig target;
  private final Map<Labels, Series> series = new LinkedHashMap<>();
  private final LoginCounter logins = new LoginCounter(System::currentTimeMillis);
  private long badLines;

  AccessLogLatency(Path path, TraefikTargetConfig target) {
    this.tail = new FileTail(path);
    this.target = target;
  }

  /** Reads what was appended since the last call and returns every series' current histogram. */
  List<Sample> samples() {
    try {
      for (String line : tail.newLines()) {
        record(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("access log " + target.accessLog().orElseThrow(), e);
    }
    List<Sample> out = new ArrayList<>();
    series.forEach(
        (labels, s) -> {
          Histogram h = s.histogram();
          for (double bound : BOUNDS) {
            long micros = Math.round(bound * 1_000_000);
            out.add(
                new Sample(
                    DURATION,
                    "_bucket",
                    labels.with("le", le(bound)),
                    h.getCountBetweenValues(0, micros)));
          }
          out.add(new Sample(DURATION, "_bucket", labels.with("le", "+Inf"), h.getTotalCount()));
          out.add(new Sample(DURATION, "_sum", labels, s.sumSeconds()[0]));
          out.add(new Sample(DURATION, "_count", labels, h.getTotalCount()));
        });
    out.add(BAD_LINES.sample(Labels.empty(), badLines));
    out.addAll(logins.samples());
    return out;
  }

  private void record(String line) {
    if (line.isBlank()) {
      return;
    }
    JsonNode entry;
    try {
      entry = JSON.readTree(line);
    } catch (IOException e) {
      badLines++;
      return;
    }
    String service = entry.path("ServiceName").asText(null);
    if (!entry.path("Duration").isNumber() || service == null) {
      badLines++;
      return;
    }
    if (!target.ownsService(service)) {
      return;
    }
    long nanos = entry.path("Duration").asLong();
    int status = entry.path("DownstreamStatus").asInt(0);
    logins.record(entry, service, status);
    Labels labels = Labels.of("service", service, "code_class", status / 100 + "xx");
    Series s =
        series.computeIfAbsent(
            labels, k -> new Series(new Histogram(MAX_MICROS, 3), new double[1]));
    s.histogram().recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    s.sumSeconds()[0] += nanos / 1e9;
  }

  private static String le(double bound) {
    return bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound);
  }
}
