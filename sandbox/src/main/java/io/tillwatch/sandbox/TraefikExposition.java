package io.tillwatch.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A stand-in for Traefik's {@code /metrics} (Traefik is not installable here): its exact exposition
 * ({@code traefik_service_requests_total} and the {@code traefik_service_request_duration_seconds}
 * histogram per service, code, method and protocol, Traefik 3's buckets) for one shop service, with
 * counters that grow with the time since start — about 20 requests a second, some failing with 502
 * in waves.
 */
public final class TraefikExposition implements AutoCloseable {
  private static final double[] BUCKETS = {0.1, 0.3, 1.2, 5};
  private static final double[] SHARE = {0.70, 0.92, 0.99, 0.999};

  private final HttpServer server;
  private final String service;
  private final long started = System.nanoTime();

  private TraefikExposition(HttpServer server, String service) {
    this.server = server;
    this.service = service;
  }

  /**
   * Serves the exposition of {@code service} (e.g. {@code odoo-acme@kubernetes}) on a free port.
   */
  public static TraefikExposition start(String service) {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      TraefikExposition t = new TraefikExposition(s, service);
      s.createContext(
          "/metrics",
          exchange -> {
            byte[] body = t.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      s.start();
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the Traefik exposition", e);
    }
  }

  /** Where the exposition is served. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
  }

  /** The exposition now. */
  String body() {
    double seconds = (System.nanoTime() - started) / 1e9;
    double ok = Math.floor(20 * seconds);
    // failures come in waves: none for 2 minutes, then 1 a second for a minute
    double bad =
        Math.floor(Math.max(0, seconds - 120) / 180) * 60
            + Math.min(60, Math.max(0, (seconds - 120) % 180));
    StringBuilder b = new StringBuilder();
    b.append(
        "# HELP traefik_service_requests_total How many HTTP requests processed on a service,"
            + " partitioned by status code, protocol, and method.\n"
            + "# TYPE traefik_service_requests_total counter\n");
    counter(b, "traefik_service_requests_total", "200", "GET", ok);
    counter(b, "traefik_service_requests_total", "502", "POST", bad);
    b.append(
        "# HELP traefik_service_request_duration_seconds How long it took to process the request"
            + " on a service, partitioned by status code, protocol, and method.\n"
            + "# TYPE traefik_service_request_duration_seconds histogram\n");
    histogram(b, "200", "GET", ok, 0.21);
    histogram(b, "502", "POST", bad, 1.9);
    return b.toString();
  }

  private String labels(String code, String method) {
    return "code=\""
        + code
        + "\",method=\""
        + method
        + "\",protocol=\"http\",service=\""
        + service
        + "\"";
  }

  private void counter(StringBuilder b, String name, String code, String method, double v) {
    b.append(name)
        .append('{')
        .append(labels(code, method))
        .append("} ")
        .append(num(v))
        .append('\n');
  }

  private void histogram(StringBuilder b, String code, String method, double count, double mean) {
    String name = "traefik_service_request_duration_seconds";
    for (int i = 0; i < BUCKETS.length; i++) {
      b.append(name)
          .append("_bucket{")
          .append(labels(code, method))
          .append(",le=\"")
          .append(BUCKETS[i] == 5 ? "5" : String.valueOf(BUCKETS[i]))
          .append("\"} ")
          .append(num(Math.floor(count * SHARE[i])))
          .append('\n');
    }
    b.append(name)
        .append("_bucket{")
        .append(labels(code, method))
        .append(",le=\"+Inf\"} ")
        .append(num(count))
        .append('\n');
    b.append(name)
        .append("_sum{")
        .append(labels(code, method))
        .append("} ")
        .append(String.format(Locale.ROOT, "%.3f", count * mean))
        .append('\n');
    b.append(name)
        .append("_count{")
        .append(labels(code, method))
        .append("} ")
        .append(num(count))
        .append('\n');
  }

  private static String num(double v) {
    return String.valueOf((long) v);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
