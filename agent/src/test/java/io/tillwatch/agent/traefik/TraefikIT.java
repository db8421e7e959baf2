package io.tillwatch.agent.traefik;

import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Sample;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real HTTP server serving Traefik's exposition to two tenants' targets. */
class TraefikIT {
  @TempDir Path dir;
  private HttpServer server;
  private volatile String body;
  private volatile String contentType = "text/plain; version=0.0.4";
  private Agent agent;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", contentType);
          exchange.sendResponseHeaders(200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    TestAgents.stop(agent);
    server.stop(0);
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
  }

  private TraefikTargetConfig traefik(
      String name, List<String> services, List<String> hosts, Path accessLog) {
    return new TraefikTargetConfig(
        name,
        url(),
        services.stream().map(TraefikTargetConfig::service).toList(),
        hosts,
        Optional.ofNullable(accessLog),
        Optional.empty());
  }

  private void start(Path accessLog) {
    EstateConfig estate =
        new EstateConfig(
            new AgentConfig(
                new HostPort("127.0.0.1", 0), Duration.ofMillis(500), Duration.ofMillis(500)),
            List.of(
                new TenantConfig(
                    TestAgents.tenant("acme"),
                    List.of(
                        traefik(
                            "acme-edge",
                            List.of(
                                "odoo-acme@kubernetes",
                                "odoo-acme-longpolling@.*",
                                "odoo-acme@docker"),
                            List.of("*.acme.example"),
                            accessLog))),
                new TenantConfig(
                    TestAgents.tenant("bistro"),
                    List.of(
                        traefik(
                            "bistro-edge",
                            List.of("odoo-bistro@kubernetes"),
                            List.of("bistro.example"),
                            null)))));
    agent = TestAgents.started(estate);
  }

  private static String key(String name, io.tillwatch.model.Labels labels) {
    return name + labels.with("tenant", "").with("target", "");
  }

  @Test
  @Timeout(60)
  void onlyTheTenantsSeriesComeThroughWithIdenticalValues() throws Exception {
    body = ExpositionParserTest.fixture("traefik-v3.txt");
    start(null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                valueOrNaN(agent, "tillwatch_target_up", "target", "bistro-edge") == 1
                    && valueOrNaN(agent, "tillwatch_target_up", "target", "acme-edge") == 1);

    // ground truth: the fixture filtered by hand
    Pattern acmeService = Pattern.compile("odoo-acme@kubernetes|odoo-acme-longpolling@.*");
    Map<String, Double> expectedAcme = new HashMap<>();
    for (ParsedSample p : ExpositionParser.parse(body)) {
      String service = p.labels().get("service");
      boolean serviceFamily =
          p.family().startsWith("traefik_service_") || p.family().startsWith("traefik_router_");
      boolean cert =
          p.family().equals("traefik_tls_certs_not_after")
              && String.valueOf(p.labels().get("sans")).contains("acme.example");
      if ((serviceFamily && service != null && acmeService.matcher(service).matches()) || cert) {
        expectedAcme.put(key(p.name(), p.labels()), p.value());
      }
    }
    Map<String, Double> actualAcme = new HashMap<>();
    for (Sample s : agent.samples()) {
      if ("acme-edge".equals(s.labels().get("target")) && s.name().startsWith("traefik_")) {
        assertThat(s.labels().get("tenant")).isEqualTo("acme");
        actualAcme.put(key(s.name(), s.labels()), s.value());
      }
    }
    assertThat(actualAcme.keySet()).isEqualTo(expectedAcme.keySet());
    expectedAcme.forEach((k, v) -> assertThat(actualAcme.get(k)).as(k).isEqualTo(v));
    assertThat(expectedAcme).hasSizeGreaterThan(20);
    assertThat(
            agent.samples().stream()
                .filter(
                    s ->
                        "bistro-edge".equals(s.labels().get("target"))
                            && s.labels().get("service") != null))
        .allSatisfy(s -> assertThat(s.labels().get("service")).isEqualTo("odoo-bistro@kubernetes"))
        .isNotEmpty();

    // our own exposition keeps the histograms whole, and promtool accepts it
    String exposition =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(agent.metricsUrl())).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> lastBucket = new HashMap<>();
    Map<String, Double> counts = new HashMap<>();
    for (ParsedSample p : ExpositionParser.parse(exposition)) {
      if (p.family().equals("traefik_service_request_duration_seconds")) {
        String series = p.labels().with("le", "").toString();
        if (p.name().endsWith("_bucket")) {
          assertThat(p.value())
              .as("cumulative %s", series)
              .isGreaterThanOrEqualTo(lastBucket.getOrDefault(series, 0.0));
          lastBucket.put(series, p.value());
        } else if (p.name().endsWith("_count")) {
          counts.put(series, p.value());
        }
      }
    }
    assertThat(counts).hasSize(4);
    counts.forEach(
        (series, count) ->
            assertThat(lastBucket.get(series)).as("+Inf of %s", series).isEqualTo(count));
    Process promtool =
        new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    promtool.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    promtool.getOutputStream().close();
    String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as(verdict).isZero();
  }

  @Test
  @Timeout(60)
  void openMetricsV2AndAMalformedBody() throws Exception {
    body = ExpositionParserTest.fixture("traefik-v2-openmetrics.txt");
    contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    start(null);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        valueOrNaN(
                            agent,
                            "traefik_service_requests_total",
                            "target",
                            "acme-edge",
                            "service",
                            "odoo-acme@docker"))
                    .isEqualTo(51));
    assertThat(
            valueOrNaN(
                agent,
                "traefik_service_request_duration_seconds_bucket",
                "target",
                "acme-edge",
                "le",
                "0.1"))
        .isEqualTo(40);
    assertThat(agent.samples()).noneMatch(s -> s.name().endsWith("_created"));

    body =
        "traefik_service_requests_total{service=\"odoo-acme@kubernetes\"} 1\ntraefik_service_requests_total{service=\"odoo-acme@kubernetes\" 2\n";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        valueOrNaN(
                            agent,
                            "tillwatch_target_last_error_info",
                            "target",
                            "acme-edge",
                            "reason",
                            "parse: line 2"))
                    .isEqualTo(1));
    assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "acme-edge")).isZero();
  }

  @Test
  @Timeout(60)
  void accessLogGivesExactBucketsAcrossRotation() throws Exception {
    body = ExpositionParserTest.fixture("traefik-v3.txt");
    Path log = dir.resolve("access.json");
    Files.writeString(
        log, line("odoo-acme@kubernetes", 200, 5_000_000_000L)); // before the agent: not counted
    start(log);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> valueOrNaN(agent, "tillwatch_target_up", "target", "acme-edge") == 1);
    long[] millis = {12, 80, 150, 190, 210, 450, 900, 1500, 4000};
    for (long ms : millis) {
      Files.writeString(
          log, line("odoo-acme@kubernetes", 200, ms * 1_000_000), StandardOpenOption.APPEND);
    }
    Files.writeString(
        log,
        line("odoo-bistro@kubernetes", 200, 1_000_000)
            + "not json\n"
            + line("odoo-acme@kubernetes", 502, 30_000_000),
        StandardOpenOption.APPEND);
    // rotation: the old file gets one more line, then a new file appears
    Files.writeString(
        log, line("odoo-acme@kubernetes", 200, 199_000_000), StandardOpenOption.APPEND);
    Files.move(log, dir.resolve("access.json.1"));
    Files.writeString(log, line("odoo-acme@kubernetes", 200, 201_000_000));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        valueOrNaN(
                            agent,
                            "tillwatch_http_request_duration_seconds_count",
                            "code_class",
                            "2xx"))
                    .isEqualTo(11));
    long[] all =
        Stream.of(millis, new long[] {199, 201}).flatMapToLong(java.util.Arrays::stream).toArray();
    for (double bound : AccessLogLatency.BOUNDS) {
      String le = bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound);
      long expected = java.util.Arrays.stream(all).filter(ms -> ms <= bound * 1000).count();
      assertThat(
              valueOrNaN(
                  agent,
                  "tillwatch_http_request_duration_seconds_bucket",
                  "code_class",
                  "2xx",
                  "le",
                  le))
          .as("le=%s", le)
          .isEqualTo(expected);
    }
    assertThat(
            valueOrNaN(agent, "tillwatch_http_request_duration_seconds_sum", "code_class", "2xx"))
        .isCloseTo(
            java.util.Arrays.stream(all).sum() / 1000.0,
            org.assertj.core.api.Assertions.within(1e-6));
    assertThat(
            valueOrNaN(agent, "tillwatch_http_request_duration_seconds_count", "code_class", "5xx"))
        .isEqualTo(1);
    assertThat(
            valueOrNaN(
                agent, "tillwatch_http_access_log_unreadable_lines_total", "target", "acme-edge"))
        .isEqualTo(1);
    assertThat(agent.samples())
        .noneMatch(
            s ->
                "odoo-bistro@kubernetes".equals(s.labels().get("service"))
                    && s.name().startsWith("tillwatch_http"));
  }

  @Test
  @Timeout(60)
  void failedOdooLoginsAreCountedWithoutUsersOrAddressesAndASpikePages() throws Exception {
    body = ExpositionParserTest.fixture("traefik-v3.txt");
    Path log = dir.resolve("access.json");
    Files.writeString(log, "");
    start(log);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> valueOrNaN(agent, "tillwatch_target_up", "target", "acme-edge") == 1);
    // an access log of Odoo's shop: ordinary traffic, staff logging in, two typos, then a burst
    // of failed logins (the form, the session and JSON-RPC endpoints) from three networks
    try (var in =
        TraefikIT.class.getResourceAsStream("/fixtures/traefik/access-odoo-logins.json")) {
      Files.write(log, in.readAllBytes(), StandardOpenOption.APPEND);
    }
    String service = "odoo-acme@kubernetes";
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                valueOrNaN(
                        agent,
                        "tillwatch_http_login_attempts_total",
                        "service",
                        service,
                        "outcome",
                        "failure")
                    == 77);
    assertThat(
            valueOrNaN(
                agent,
                "tillwatch_http_login_attempts_total",
                "service",
                service,
                "outcome",
                "success"))
        .isEqualTo(9);
    List<Sample> samples = agent.samples();
    Sample top =
        samples.stream()
            .filter(x -> x.name().equals("tillwatch_http_login_failures_top_networks_info"))
            .findFirst()
            .orElseThrow();
    assertThat(top.labels().get("networks"))
        .isEqualTo("203.0.113.0/24 (60), 198.51.100.0/24 (10), 2001:db8:abcd::/48 (5)");
    // no label of any series holds a user's name or an address
    for (Sample x : samples) {
      for (var l : x.labels().asMap().entrySet()) {
        if (!l.getKey().equals("networks")) {
          assertThat(l.getValue())
              .as(x.name() + " " + l.getKey())
              .doesNotContain("jane", "203.0.113.5", "198.51.100.7", "192.0.2.10", "2001:db8");
        }
      }
    }

    // the built-in pack on these counts laid on a timeline: two failures an hour for a day,
    // then the scraped failures within ten minutes
    long minute = 60_000;
    long day = 24 * 60 * minute;
    io.tillwatch.promql.MemorySource data = new io.tillwatch.promql.MemorySource();
    Map<String, String> attempts = new HashMap<>(top.labels().asMap());
    attempts.remove("networks");
    attempts.put("outcome", "failure");
    io.tillwatch.model.Labels series = io.tillwatch.model.Labels.of(attempts);
    double failed = 77;
    for (long t = 0; t <= day + 30 * minute; t += minute) {
      double usual = 2.0 * Math.min(t, day) / (60 * minute);
      double burst = failed * Math.min(1, Math.max(0, t - day) / (10.0 * minute));
      data.append(series.with("__name__", "tillwatch_http_login_attempts_total"), t, usual + burst);
      if (t > day) {
        data.append(
            top.labels().with("__name__", "tillwatch_http_login_failures_top_networks_info"), t, 1);
      }
    }
    io.tillwatch.rules.RuleGroup security =
        new io.tillwatch.rules.RuleFileLoader(Files::readString)
            .loadBuiltin().stream()
                .filter(g -> g.name().equals("tillwatch-security"))
                .findFirst()
                .orElseThrow();
    io.tillwatch.rules.GroupEvaluator eval =
        new io.tillwatch.rules.GroupEvaluator(security, id -> null, Optional.empty());
    List<io.tillwatch.rules.AlertState.Alert> paged = new java.util.ArrayList<>();
    for (long t = day; t <= day + 15 * minute; t += minute) {
      assertThat(eval.evaluate(data, t, (x, time, v) -> {}).ok()).isTrue();
      eval.alerts()
          .values()
          .forEach(st -> paged.addAll(st.alerts(io.tillwatch.rules.AlertState.State.FIRING)));
    }
    assertThat(paged).isNotEmpty();
    io.tillwatch.rules.AlertState.Alert a = paged.get(paged.size() - 1);
    assertThat(a.labels().get("service")).isEqualTo(service);
    assertThat(a.labels().get("risk")).isEqualTo("security");
    assertThat(a.annotations().get("description"))
        .isEqualTo("Most from 203.0.113.0/24 (60), 198.51.100.0/24 (10), 2001:db8:abcd::/48 (5).");
  }

  private static String line(String service, int status, long nanos) {
    return "{\"ClientHost\":\"10.0.0.9\",\"Duration\":"
        + nanos
        + ",\"DownstreamStatus\":"
        + status
        + ",\"RouterName\":\"r@kubernetes\",\"ServiceName\":\""
        + service
        + "\",\"StartUTC\":\"2026-11-22T10:00:00.000000001Z\"}\n";
  }
}
