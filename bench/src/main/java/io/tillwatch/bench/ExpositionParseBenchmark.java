package io.tillwatch.bench;

import io.tillwatch.agent.traefik.ExpositionParser;
import io.tillwatch.agent.traefik.ParsedSample;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing a large Traefik-shaped exposition (400 services; requests, duration histogram, retries,
 * server up), against the practical limit: one pass over the same bytes. Divide the score by {@link
 * #samples} for nanoseconds per sample.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExpositionParseBenchmark {
  String body;
  byte[] bytes;
  int samples;

  @Setup
  public void setUp() {
    body = traefikBody(400);
    bytes = body.getBytes(StandardCharsets.UTF_8);
    samples = ExpositionParser.parse(body).size();
    System.out.printf("%n%d samples, %d bytes%n", samples, bytes.length);
  }

  /** A Traefik v3 exposition with {@code services} services, 3 codes each. */
  static String traefikBody(int services) {
    StringBuilder b = new StringBuilder(services * 4096);
    String[] codes = {"200", "302", "502"};
    double[] bounds = {0.1, 0.3, 1.2, 5};
    b.append(
        "# HELP traefik_service_request_duration_seconds How long it took to process the request on a service.\n");
    b.append("# TYPE traefik_service_request_duration_seconds histogram\n");
    for (int s = 0; s < services; s++) {
      for (String code : codes) {
        String labels =
            "code=\""
                + code
                + "\",method=\"GET\",protocol=\"http\",service=\"odoo-tenant"
                + s
                + "@kubernetes\"";
        long c = 0;
        for (double bound : bounds) {
          c += 17 + s;
          b.append("traefik_service_request_duration_seconds_bucket{")
              .append(labels)
              .append(",le=\"")
              .append(bound)
              .append("\"} ")
              .append(c)
              .append('\n');
        }
        b.append("traefik_service_request_duration_seconds_bucket{")
            .append(labels)
            .append(",le=\"+Inf\"} ")
            .append(c + 1)
            .append('\n');
        b.append("traefik_service_request_duration_seconds_sum{")
            .append(labels)
            .append("} ")
            .append(c * 0.137)
            .append('\n');
        b.append("traefik_service_request_duration_seconds_count{")
            .append(labels)
            .append("} ")
            .append(c + 1)
            .append('\n');
      }
    }
    b.append(
        "# HELP traefik_service_requests_total How many HTTP requests processed on a service.\n");
    b.append("# TYPE traefik_service_requests_total counter\n");
    for (int s = 0; s < services; s++) {
      for (String code : codes) {
        b.append("traefik_service_requests_total{code=\"")
            .append(code)
            .append("\",method=\"GET\",protocol=\"http\",service=\"odoo-tenant")
            .append(s)
            .append("@kubernetes\"} ")
            .append(1000 + s)
            .append('\n');
      }
    }
    b.append("# TYPE traefik_service_server_up gauge\n");
    for (int s = 0; s < services; s++) {
      b.append("traefik_service_server_up{service=\"odoo-tenant")
          .append(s)
          .append("@kubernetes\",url=\"http://10.42.")
          .append(s % 250)
          .append(".7:8069\"} 1\n");
    }
    return b.toString();
  }

  @Benchmark
  public List<ParsedSample> parse() {
    return ExpositionParser.parse(body);
  }

  /** The practical limit: touch every byte once (count lines). */
  @Benchmark
  public int byteScan() {
    int lines = 0;
    for (byte x : bytes) {
      if (x == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
