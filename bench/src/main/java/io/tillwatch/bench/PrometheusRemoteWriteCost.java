package io.tillwatch.bench;

import com.sun.net.httpserver.HttpServer;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.sandbox.PrometheusServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What remote write costs Prometheus 2.42 itself, for the side by side with the collector's
 * forwarding ({@code bench/ingest.sh … remote}): a Prometheus scrapes {@code series} series every
 * second, once without and once with {@code remote_write} to a second Prometheus (its receiver);
 * the CPU time of the scraping one (user + system, {@code /proc}) per 1,000 samples appended, in
 * each run, after a warm-up.
 *
 * <p>Usage: {@code PrometheusRemoteWriteCost [series=10000] [seconds=60]}
 */
public final class PrometheusRemoteWriteCost {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private PrometheusRemoteWriteCost() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    AtomicLong scrapes = new AtomicLong();
    int port = FreePorts.next();
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    target.createContext(
        "/metrics",
        x -> {
          long k = scrapes.incrementAndGet();
          StringBuilder b = new StringBuilder(series * 60);
          b.append("# TYPE bench_value gauge\n");
          for (int i = 0; i < series; i++) {
            b.append("bench_value{tenant=\"tenant-")
                .append(i % 100)
                .append("\",series=\"s")
                .append(i)
                .append("\"} ")
                .append((k * 7 + i) % 1000)
                .append('\n');
          }
          byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    target.start();
    try (PrometheusServer receiver =
        PrometheusServer.start(
            "global: {}\n", Map.of(), d -> {}, List.of("--web.enable-remote-write-receiver"))) {
      double[] plain = run(port, null, seconds);
      double[] forwarding = run(port, receiver.url().resolve("/api/v1/write"), seconds);
      System.out.printf(
          Locale.ROOT,
          "Prometheus 2.42 scraping %,d series every second, %d s measured after 20 s of warm-up%n"
              + "  without remote write: %,.0f samples appended, CPU %.3f ms per 1,000 samples%n"
              + "  with remote write to a second Prometheus: %,.0f samples appended, %,.0f sent,"
              + " CPU %.3f ms per 1,000 samples%n"
              + "  CPU added by remote write: %.3f ms per 1,000 samples (%.0f %%)%n",
          series,
          seconds,
          plain[0],
          plain[2],
          forwarding[0],
          forwarding[1],
          forwarding[2],
          forwarding[2] - plain[2],
          100 * (forwarding[2] / plain[2] - 1));
    } finally {
      target.stop(0);
    }
  }

  /** Samples appended, samples sent, CPU ms per 1,000 appended. */
  private static double[] run(int port, URI remote, int seconds) throws Exception {
    String config =
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            + "scrape_configs:\n  - job_name: bench\n    static_configs:\n"
            + "      - targets: ['127.0.0.1:"
            + port
            + "']\n"
            + (remote == null ? "" : "remote_write:\n  - url: " + remote + "\n");
    try (PrometheusServer prom = PrometheusServer.start(config, Map.of())) {
      Thread.sleep(20_000);
      double appended0 = metric(prom, "prometheus_tsdb_head_samples_appended_total");
      double sent0 = metric(prom, "prometheus_remote_storage_samples_total");
      long cpu0 = ProcStat.cpuTicks(prom.pid());
      Thread.sleep(seconds * 1000L);
      double appended = metric(prom, "prometheus_tsdb_head_samples_appended_total") - appended0;
      double sent = metric(prom, "prometheus_remote_storage_samples_total") - sent0;
      long ticks = ProcStat.cpuTicks(prom.pid()) - cpu0;
      return new double[] {appended, sent, ticks * 10.0 * 1000 / appended};
    }
  }

  /** The sum of a metric's series on Prometheus's own {@code /metrics}. */
  private static double metric(PrometheusServer prom, String name) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(prom.url().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
