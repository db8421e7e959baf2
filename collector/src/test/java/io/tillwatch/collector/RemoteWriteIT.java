package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.RemoteWriteConfig;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.sandbox.PrometheusServer;
import io.tillwatch.sandbox.VictoriaMetricsServer;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Remote write out: what the collector stores arrives at a real Prometheus (remote-write receiver)
 * and a real VictoriaMetrics, every sample with its value; Mimir's tenant header and
 * VictoriaMetrics cluster's account path are sent as configured (checked by an endpoint that
 * records requests); 5xx is retried, 4xx dropped and counted; the queue survives a restart while
 * the endpoint is away.
 */
@Timeout(180)
class RemoteWriteIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int POINTS = 60;

  @TempDir Path dir;

  private Backend start(String db, List<RemoteWriteConfig> remotes) throws Exception {
    PG.createDatabase(db);
    CollectorConfig c =
        TestCollectors.config(PG.server(), db, CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES)
            .withRemoteWrite(remotes);
    return Backend.start(
        c, c.storage().url().orElseThrow(), c.storage().user(), c.storage().password());
  }

  private Backend restart(String db, List<RemoteWriteConfig> remotes) throws Exception {
    CollectorConfig c =
        TestCollectors.config(PG.server(), db, CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES)
            .withRemoteWrite(remotes);
    return Backend.start(
        c, c.storage().url().orElseThrow(), c.storage().user(), c.storage().password());
  }

  /** tenant × series → time → value, as sent. */
  private static Map<String, TreeMap<Long, Double>> send(
      Backend c, long t0, String metric, String... tenants) {
    Map<String, TreeMap<Long, Double>> sent = new TreeMap<>();
    for (String tenant : tenants) {
      for (int s = 0; s < 3; s++) {
        assertThat(
                Otlp.post(
                        c.port(),
                        TestCollectors.PLATFORM,
                        Otlp.gauge(tenant, metric, "s" + s, t0, POINTS))
                    .statusCode())
            .isEqualTo(200);
        TreeMap<Long, Double> points = new TreeMap<>();
        for (int i = 0; i < POINTS; i++) {
          points.put(t0 + i * 1000L, i * 0.5);
        }
        sent.put(tenant + "/s" + s, points);
      }
    }
    return sent;
  }

  /** What a Prometheus-API server holds of {@code metric} over the last hour, raw. */
  private static Map<String, TreeMap<Long, Double>> stored(URI api, String metric)
      throws Exception {
    return stored(api, metric, 60);
  }

  /** What a Prometheus-API server holds of {@code metric} over the last {@code minutes}, raw. */
  private static Map<String, TreeMap<Long, Double>> stored(URI api, String metric, long minutes)
      throws Exception {
    String q = URLEncoder.encode(metric + "[" + minutes + "m]", StandardCharsets.UTF_8);
    JsonNode r =
        JSON.readTree(
            HTTP.send(
                    HttpRequest.newBuilder(api.resolve("/api/v1/query?query=" + q)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    Map<String, TreeMap<Long, Double>> out = new TreeMap<>();
    for (JsonNode s : r.path("data").path("result")) {
      TreeMap<Long, Double> points = new TreeMap<>();
      for (JsonNode v : s.path("values")) {
        points.put(Math.round(v.get(0).asDouble() * 1000), Double.parseDouble(v.get(1).asText()));
      }
      out.put(
          s.path("metric").path("tenant").asText() + "/" + s.path("metric").path("series").asText(),
          points);
    }
    return out;
  }

  private static double metric(Backend c, String line) throws Exception {
    String body =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/metrics"))
                    .header("Authorization", "Bearer " + TestCollectors.PLATFORM)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String l : body.split("\n")) {
      if (l.startsWith(line + " ")) {
        return Double.parseDouble(l.substring(line.length() + 1));
      }
    }
    return 0;
  }

  @Test
  void everySampleArrivesAtPrometheusAndVictoriaMetrics() throws Exception {
    try (PrometheusServer prom =
            PrometheusServer.start(
                "global: {}\n", Map.of(), d -> {}, List.of("--web.enable-remote-write-receiver"));
        VictoriaMetricsServer vm = VictoriaMetricsServer.start()) {
      RemoteWriteConfig toProm =
          RemoteWriteConfig.of(prom.url().resolve("/api/v1/write"), dir.resolve("p"));
      RemoteWriteConfig toVm =
          RemoteWriteConfig.of(vm.url().resolve("/api/v1/write"), dir.resolve("v"))
              .withMaxSamplesPerSend(50); // many requests, still in order
      try (Backend c = start("rwboth", List.of(toProm, toVm))) {
        long t0 = System.currentTimeMillis() - 5 * 60_000L;
        var sent = send(c, t0, "rw_test_gauge", "acme", "globex");
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(stored(prom.url(), "rw_test_gauge")).isEqualTo(sent));
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  // VictoriaMetrics makes its writes searchable within a second or so
                  HTTP.send(
                      HttpRequest.newBuilder(vm.url().resolve("/internal/force_flush")).build(),
                      HttpResponse.BodyHandlers.discarding());
                  assertThat(stored(vm.url(), "rw_test_gauge")).isEqualTo(sent);
                });
        int total = sent.size() * POINTS;
        String p = "tillwatch_remote_write_samples_total{remote=\"" + toProm.name() + "\"}";
        String v = "tillwatch_remote_write_samples_total{remote=\"" + toVm.name() + "\"}";
        assertThat(metric(c, p)).isEqualTo(total);
        assertThat(metric(c, v)).isEqualTo(total);
        assertThat(
                metric(
                    c, "tillwatch_remote_write_pending_samples{remote=\"" + toProm.name() + "\"}"))
            .isZero();
      }
    }
  }

  /** One request as the recording endpoint received it. */
  private record Received(
      String path, Map<String, String> headers, List<Map<String, String>> series, int samples) {}

  /** A remote-write endpoint that records every request and answers what {@code answer} says. */
  private static HttpServer endpoint(
      int port, List<Received> got, IntUnaryOperator answerByCall, Map<String, Integer> byTenant)
      throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    AtomicInteger calls = new AtomicInteger();
    s.createContext(
        "/",
        x -> {
          byte[] body = Snappy.uncompress(x.getRequestBody().readAllBytes());
          UnknownFieldSet req = UnknownFieldSet.parseFrom(body);
          List<Map<String, String>> series = new ArrayList<>();
          int samples = 0;
          for (ByteString ts : req.getField(1).getLengthDelimitedList()) {
            UnknownFieldSet t = UnknownFieldSet.parseFrom(ts);
            Map<String, String> labels = new TreeMap<>();
            for (ByteString l : t.getField(1).getLengthDelimitedList()) {
              UnknownFieldSet lf = UnknownFieldSet.parseFrom(l);
              labels.put(
                  lf.getField(1).getLengthDelimitedList().get(0).toStringUtf8(),
                  lf.getField(2).getLengthDelimitedList().get(0).toStringUtf8());
            }
            series.add(labels);
            samples += t.getField(2).getLengthDelimitedList().size();
          }
          Map<String, String> headers = new TreeMap<>();
          x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          int status = answerByCall.applyAsInt(calls.incrementAndGet());
          String tenant = series.isEmpty() ? "" : series.get(0).get("tenant");
          status = byTenant.getOrDefault(tenant, status);
          if (status == 200) {
            got.add(new Received(x.getRequestURI().getPath(), headers, series, samples));
          }
          byte[] reason =
              (status == 200 ? "" : "refused: " + status).getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, reason.length == 0 ? -1 : reason.length);
          if (reason.length > 0) {
            x.getResponseBody().write(reason);
          }
          x.close();
        });
    s.start();
    return s;
  }

  @Test
  void tenantsGoInTheHeaderOrTheAccountPathAndAnswersDecideWhatIsRetried() throws Exception {
    int port = FreePorts.next();
    List<Received> got = new CopyOnWriteArrayList<>();
    // the first three requests fail (5xx: retried), tenant "refused" is always a 400 (dropped)
    HttpServer server = endpoint(port, got, call -> call <= 3 ? 503 : 200, Map.of("refused", 400));
    try {
      URI base = URI.create("http://127.0.0.1:" + port);
      RemoteWriteConfig mimir =
          RemoteWriteConfig.of(base.resolve("/api/v1/push"), dir.resolve("m"))
              .withTenantHeader("X-Scope-OrgID");
      RemoteWriteConfig vmCluster =
          new RemoteWriteConfig(
              URI.create(
                  base
                      + "/insert/"
                      + RemoteWriteConfig.ACCOUNT_PLACEHOLDER
                      + "/prometheus/api/v1/write"),
              "vmcluster",
              java.util.Optional.empty(),
              Map.of("acme", "1", "globex", "2", "refused", "3"),
              Map.of("Authorization", "Bearer vm-secret"),
              Duration.ofSeconds(10),
              2,
              1000,
              16L << 20,
              dir.resolve("c"));
      try (Backend c = start("rwheaders", List.of(mimir, vmCluster))) {
        long t0 = System.currentTimeMillis() - 5 * 60_000L;
        send(c, t0, "rw_hdr_gauge", "acme", "globex", "refused", "nobody");
        int perTenant = 3 * POINTS;
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  int mimirSamples = 0;
                  int vmSamples = 0;
                  for (Received r : got) {
                    if (r.path().equals("/api/v1/push")) {
                      mimirSamples += r.samples();
                    } else {
                      vmSamples += r.samples();
                    }
                  }
                  // Mimir: acme, globex, nobody; the cluster: acme, globex (nobody has no account)
                  assertThat(mimirSamples).isEqualTo(3 * perTenant);
                  assertThat(vmSamples).isEqualTo(2 * perTenant);
                });
        Map<String, String> accountOf = Map.of("acme", "1", "globex", "2");
        for (Received r : got) {
          assertThat(r.headers())
              .containsEntry("x-prometheus-remote-write-version", "0.1.0")
              .containsEntry("content-encoding", "snappy")
              .containsEntry("content-type", "application/x-protobuf");
          String tenant = r.series().get(0).get("tenant");
          // one tenant a request, named where the endpoint looks for it
          assertThat(r.series()).allSatisfy(l -> assertThat(l).containsEntry("tenant", tenant));
          assertThat(r.series()).allSatisfy(l -> assertThat(l).containsKey("__name__"));
          if (r.path().equals("/api/v1/push")) {
            assertThat(r.headers()).containsEntry("x-scope-orgid", tenant);
          } else {
            assertThat(r.path())
                .isEqualTo("/insert/" + accountOf.get(tenant) + "/prometheus/api/v1/write");
            assertThat(r.headers()).containsEntry("authorization", "Bearer vm-secret");
          }
        }
        assertThat(metric(c, "tillwatch_remote_write_failed_samples_total{remote=\"vmcluster\"}"))
            .as("refused (400) and nobody (no account)")
            .isEqualTo(2 * perTenant);
        assertThat(
                metric(
                    c,
                    "tillwatch_remote_write_failed_samples_total{remote=\"" + mimir.name() + "\"}"))
            .isEqualTo(perTenant);
        assertThat(
                metric(
                        c,
                        "tillwatch_remote_write_retried_samples_total{remote=\""
                            + mimir.name()
                            + "\"}")
                    + metric(
                        c, "tillwatch_remote_write_retried_samples_total{remote=\"vmcluster\"}"))
            .isPositive();
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theQueueOutlivesARestartWhileTheEndpointIsAway() throws Exception {
    int port = FreePorts.next();
    RemoteWriteConfig away =
        RemoteWriteConfig.of(
            URI.create("http://127.0.0.1:" + port + "/api/v1/write"), dir.resolve("q"));
    long t0 = System.currentTimeMillis() - 5 * 60_000L;
    Map<String, TreeMap<Long, Double>> sent;
    try (Backend c = start("rwrestart", List.of(away))) {
      sent = send(c, t0, "rw_restart_gauge", "acme", "globex");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  metric(
                          c,
                          "tillwatch_remote_write_pending_samples{remote=\"" + away.name() + "\"}")
                      == sent.size() * POINTS);
    }
    // the endpoint comes, and a new collector on the same queue sends what the first one held
    List<Received> got = new CopyOnWriteArrayList<>();
    HttpServer server = endpoint(port, got, call -> 200, Map.of());
    try (Backend c = restart("rwrestart", List.of(away))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> got.stream().mapToInt(Received::samples).sum() >= sent.size() * POINTS);
      Thread.sleep(500); // nothing more comes
      assertThat(got.stream().mapToInt(Received::samples).sum()).isEqualTo(sent.size() * POINTS);
      Map<String, Integer> perSeries = new ConcurrentHashMap<>();
      for (Received r : got) {
        for (Map<String, String> l : r.series()) {
          perSeries.merge(l.get("tenant") + "/" + l.get("series"), 1, Integer::sum);
        }
      }
      assertThat(perSeries.keySet()).isEqualTo(sent.keySet());
    } finally {
      server.stop(0);
    }
  }

  /**
   * Prometheus away for {@code tillwatch.faults.remote_down_seconds} (6 s here; {@code
   * bench/faults.sh} runs 600) while samples keep coming, the collector restarted half-way: once
   * Prometheus is back, it holds every acknowledged sample, exactly.
   */
  @Test
  @Timeout(1200)
  void prometheusAwayWhileIngestGoesOnAndARestartLosesNothing() throws Exception {
    long downSeconds = Long.getLong("tillwatch.faults.remote_down_seconds", 6);
    int port = FreePorts.next();
    RemoteWriteConfig toProm =
        RemoteWriteConfig.of(
            URI.create("http://127.0.0.1:" + port + "/api/v1/write"), dir.resolve("down"));
    PG.createDatabase("rwdown");
    Map<String, TreeMap<Long, Double>> acknowledged = new TreeMap<>();
    long start = System.currentTimeMillis();
    long restartAt = start + downSeconds * 500;
    long until = start + downSeconds * 1000;
    Backend c = restart("rwdown", List.of(toProm));
    boolean restarted = false;
    try {
      for (long t = start; t < until; t += 1000) {
        if (!restarted && t >= restartAt) {
          c.close(); // what its queue holds stays on disk
          c = restart("rwdown", List.of(toProm));
          restarted = true;
        }
        for (String tenant : List.of("acme", "globex")) {
          for (int s = 0; s < 5; s++) {
            double v = (t - start) / 1000.0 + s;
            var r =
                Otlp.post(
                    c.port(),
                    TestCollectors.PLATFORM,
                    Otlp.request(
                        tenant,
                        io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                            .setName("rw_down_gauge")
                            .setGauge(
                                io.opentelemetry.proto.metrics.v1.Gauge.newBuilder()
                                    .addDataPoints(
                                        io.opentelemetry.proto.metrics.v1.NumberDataPoint
                                            .newBuilder()
                                            .addAttributes(Otlp.attr("series", "s" + s))
                                            .setTimeUnixNano(t * 1_000_000L)
                                            .setAsDouble(v)))));
            assertThat(r.statusCode()).isEqualTo(200);
            acknowledged.computeIfAbsent(tenant + "/s" + s, k -> new TreeMap<>()).put(t, v);
          }
        }
        Thread.sleep(Math.max(0, t + 1000 - System.currentTimeMillis()));
      }
      long total = acknowledged.values().stream().mapToLong(TreeMap::size).sum();
      assertThat(c.remotePending()).isEqualTo(total); // all of it waiting on disk
      try (PrometheusServer prom =
          PrometheusServer.start(
              port,
              "global: {}\n",
              Map.of(),
              d -> {},
              List.of("--web.enable-remote-write-receiver"))) {
        Backend running = c;
        await().atMost(Duration.ofMinutes(5)).until(() -> running.remotePending() == 0);
        long minutes = downSeconds / 60 + 2;
        assertThat(stored(prom.url(), "rw_down_gauge", minutes)).isEqualTo(acknowledged);
        System.out.printf(
            "remote write: Prometheus away %d s, collector restarted after %d s: %d samples"
                + " acknowledged, all %d at Prometheus once it was back%n",
            downSeconds,
            downSeconds / 2,
            10 * acknowledged.get("acme/s0").size(),
            acknowledged.values().stream().mapToInt(TreeMap::size).sum());
      }
    } finally {
      c.close();
    }
  }
}
