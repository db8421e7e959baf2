package io.tillwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.RemoteStorageConfig;
import io.tillwatch.collector.config.RemoteWriteConfig;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.PrometheusServer;
import io.tillwatch.sandbox.VictoriaMetricsServer;
import io.tillwatch.slo.SloCatalog;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storage: {type: remote}}: the built-in rule pack and SLOs evaluated over samples kept by a
 * real Prometheus and a real VictoriaMetrics raise the same alerts, at the same evaluations, as
 * over the collector's own PostgreSQL, for the same data; each tenant's reads go out under that
 * tenant's scope (header, matcher) only.
 */
@Timeout(300)
class RemoteStorageIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long MINUTE = 60_000L;
  private static final long WEEK = 7 * 24 * 60 * MINUTE;
  private static final List<String> TENANTS = List.of("acme", "globex", "initech");

  @TempDir Path dir;

  private static Tenant open(String id) {
    return new Tenant(id, id, Tier.SHARED, ZoneId.of("Europe/Berlin"), BusinessHours.always());
  }

  private static final Map<String, Tenant> TENANT_MAP = tenantMap();

  private static Map<String, Tenant> tenantMap() {
    Map<String, Tenant> m = new LinkedHashMap<>();
    TENANTS.forEach(t -> m.put(t, open(t)));
    return m;
  }

  private Backend start(String db, CollectorConfig base) throws Exception {
    PG.createDatabase(db);
    CollectorConfig c = base.withBuiltinSlos(true);
    List<RuleGroup> groups = RunningBackend.ruleGroups(c, Files::readString, TENANT_MAP);
    SloCatalog slos = RunningBackend.sloCatalog(c, Files::readString);
    return Backend.start(
        c,
        c.storage().url().orElseThrow(),
        c.storage().user(),
        c.storage().password(),
        groups,
        slos,
        TENANT_MAP,
        java.time.Clock.systemUTC());
  }

  private CollectorConfig config(String db) {
    CollectorConfig c = TestCollectors.config(PG.server(), db, 1_000_000);
    return new CollectorConfig(
        c.listen(),
        c.storage(),
        c.head(),
        c.tokens(),
        c.maxQueuedSamples(),
        List.of(),
        true,
        Duration.ofMinutes(1),
        io.tillwatch.collector.config.AlertingConfig.NONE);
  }

  private CollectorConfig remote(String db, URI query, URI write, String name) {
    CollectorConfig c = config(db);
    return c.withStorage(
        c.storage()
            .withRemote(
                new RemoteStorageConfig(query, RemoteWriteConfig.of(write, dir.resolve(name)))));
  }

  /** One series' points a minute apart over {@code [from, to)}, its value by time. */
  private static Metric.Builder gauge(
      String name, Map<String, String> labels, long from, long to, LongUnaryOperator value) {
    Gauge.Builder g = Gauge.newBuilder();
    for (long t = from; t < to; t += MINUTE) {
      NumberDataPoint.Builder p =
          NumberDataPoint.newBuilder()
              .setTimeUnixNano(t * 1_000_000L)
              .setAsDouble(value.applyAsLong(t));
      labels.forEach((k, v) -> p.addAttributes(Otlp.attr(k, v)));
      g.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setGauge(g);
  }

  private static Metric.Builder orders(long from, long to, LongUnaryOperator value) {
    return gauge("tillwatch_odoo_orders_total", Map.of("source", "sale"), from, to, value);
  }

  /**
   * Three hours of an estate in trouble, and the same hour a week before: acme's standby stream
   * broken for the last hour and its orders standing still for 40 minutes (while last week it
   * sold), globex evicting sessions and answering one request in ten with a 5xx, initech's stock
   * sync 12 minutes behind for the last 50 minutes.
   */
  private static List<ExportMetricsServiceRequest> estate(long now) {
    List<ExportMetricsServiceRequest> out = new ArrayList<>();
    long from = now - 180 * MINUTE;
    long to = now - 5 * MINUTE;
    for (String tenant : TENANTS) {
      boolean acme = tenant.equals("acme");
      boolean globex = tenant.equals("globex");
      boolean initech = tenant.equals("initech");
      long stopped = now - 40 * MINUTE;
      long weekAgo = now - WEEK - 60 * MINUTE;
      out.add(Otlp.request(tenant, orders(weekAgo, now - WEEK, t -> (t - weekAgo) / MINUTE * 2)));
      out.add(
          Otlp.request(
              tenant,
              orders(from, to, t -> (Math.min(t, acme ? stopped : t) - from) / MINUTE * 3),
              gauge(
                  "tillwatch_pg_standby_stream_up",
                  Map.of("instance", "pg-standby"),
                  from,
                  to,
                  t -> acme && t >= now - 60 * MINUTE ? 0 : 1),
              gauge(
                  "tillwatch_redis_evicted_keys_total",
                  Map.of("instance", "redis"),
                  from,
                  to,
                  t -> globex && t >= now - 70 * MINUTE ? (t - (now - 70 * MINUTE)) / MINUTE : 0),
              gauge(
                  "tillwatch_odoo_queue_oldest_age_seconds",
                  Map.of("channel", "root.stock", "state", "pending"),
                  from,
                  to,
                  t -> initech && t >= now - 50 * MINUTE ? 720 : 30),
              gauge(
                  "traefik_service_requests_total",
                  Map.of("service", "odoo-web@file", "code", "200"),
                  from,
                  to,
                  t -> (t - from) / MINUTE * (globex ? 90 : 100)),
              gauge(
                  "traefik_service_requests_total",
                  Map.of("service", "odoo-web@file", "code", "500"),
                  from,
                  to,
                  t -> globex ? (t - from) / MINUTE * 10 : 0)));
    }
    return out;
  }

  /**
   * Every alert of every group, as a line each: group, alert, labels, state, since when, the value
   * of its expression at the last evaluation.
   */
  private static List<String> alerts(Backend c) {
    List<String> out = new ArrayList<>();
    for (RuleEngine.GroupState g : c.rules().groups()) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          assertThat(g.lastError(a)).as(g.group().name() + "/" + a.name()).isNull();
          for (AlertState.Alert x : g.alerts(a).alerts()) {
            out.add(
                g.group().name()
                    + " "
                    + a.name()
                    + " "
                    + x.labels()
                    + " "
                    + x.state()
                    + " since "
                    + x.activeAt()
                    + " value "
                    + x.value());
          }
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static void forceFlush(VictoriaMetricsServer vm) throws Exception {
    HTTP.send(
        HttpRequest.newBuilder(vm.url().resolve("/internal/force_flush")).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void theRulePackAndSlosRaiseTheSameAlertsOverPrometheusAndVictoriaMetrics() throws Exception {
    // remote writes arrive out of order across series (shards): Prometheus takes them in a window
    String promConfig = "storage:\n  tsdb:\n    out_of_order_time_window: 30d\n";
    try (PrometheusServer prom =
            PrometheusServer.start(
                promConfig, Map.of(), d -> {}, List.of("--web.enable-remote-write-receiver"));
        VictoriaMetricsServer vm = VictoriaMetricsServer.start();
        Backend local = start("rs_local", config("rs_local"));
        Backend overProm =
            start(
                "rs_prom",
                remote("rs_prom", prom.url(), prom.url().resolve("/api/v1/write"), "prom"));
        Backend overVm =
            start("rs_vm", remote("rs_vm", vm.url(), vm.url().resolve("/api/v1/write"), "vm"))) {
      long now = System.currentTimeMillis() / MINUTE * MINUTE;
      List<Backend> all = List.of(local, overProm, overVm);
      for (Backend c : all) {
        for (ExportMetricsServiceRequest r : estate(now)) {
          var resp = Otlp.post(c.port(), TestCollectors.PLATFORM, r);
          assertThat(resp.statusCode()).as(new String(resp.body())).isEqualTo(200);
        }
      }
      // the remote collectors keep no samples of their own: PostgreSQL has series, no rows
      for (Backend c : List.of(overProm, overVm)) {
        c.settle(Duration.ofSeconds(30));
        assertThat(c.storeCounts().samples()).isZero();
        assertThat(c.storeCounts().series()).isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> c.remotePending() == 0);
      }
      local.settle(Duration.ofSeconds(30));
      forceFlush(vm); // what VictoriaMetrics took is searchable from here
      Map<Long, List<String>> seen = new TreeMap<>();
      // evaluations a minute apart over the last hour of data: every read of the remote
      // collectors lies before their start, so it goes to the engine's query API
      for (long t = now - 60 * MINUTE; t <= now - 6 * MINUTE; t += MINUTE) {
        for (Backend c : all) {
          for (RuleEngine.GroupState g : c.rules().groups()) {
            c.evaluate(g, t);
          }
        }
        for (Backend c : all) {
          c.settle(Duration.ofSeconds(30));
          await().atMost(Duration.ofSeconds(30)).until(() -> c.remotePending() == 0);
        }
        forceFlush(vm);
        List<String> expected = alerts(local);
        assertThat(alerts(overProm)).as("over Prometheus at " + t).isEqualTo(expected);
        assertThat(alerts(overVm)).as("over VictoriaMetrics at " + t).isEqualTo(expected);
        seen.put(t, expected);
      }
      // the data did raise what it should: not an agreement on nothing
      List<String> last = seen.get(now - 6 * MINUTE);
      assertThat(last)
          .anyMatch(l -> l.contains(" StandbyStreamBroken ") && l.contains("tenant=\"acme\""))
          .anyMatch(l -> l.contains(" OrderIntakeStopped ") && l.contains("tenant=\"acme\""))
          .anyMatch(l -> l.contains(" RedisEvictingSessions ") && l.contains("\"globex\""))
          .anyMatch(l -> l.contains(" StockSyncStalled ") && l.contains("\"initech\""))
          .anyMatch(
              l ->
                  l.contains(" OrderCaptureSLOBurnRate ")
                      && l.contains("\"globex\"")
                      && l.contains(" FIRING "));
    }
  }

  /** A Prometheus-API endpoint that answers nothing found and records what it was asked. */
  private record Asked(String path, String tenantHeader, String query) {}

  @Test
  void eachTenantIsReadUnderItsOwnScope() throws Exception {
    int port = FreePorts.next();
    List<Asked> asked = new CopyOnWriteArrayList<>();
    HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    api.createContext(
        "/",
        x -> {
          String q = x.getRequestURI().getRawQuery();
          Map<String, String> params = new TreeMap<>();
          for (String kv : q == null ? new String[0] : q.split("&")) {
            int eq = kv.indexOf('=');
            params.put(
                URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
          }
          String path = x.getRequestURI().getPath();
          asked.add(
              new Asked(
                  path,
                  x.getRequestHeaders().getFirst("X-Scope-OrgID"),
                  params.getOrDefault("query", params.get("match[]"))));
          byte[] body =
              (path.endsWith("/series")
                      ? "{\"status\":\"success\",\"data\":[]}"
                      : "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}")
                  .getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "application/json");
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    api.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + port);
      CollectorConfig c = config("rs_scope");
      c =
          c.withStorage(
              c.storage()
                  .withRemote(
                      new RemoteStorageConfig(
                          base.resolve("/prometheus"),
                          RemoteWriteConfig.of(base.resolve("/api/v1/push"), dir.resolve("s"))
                              .withTenantHeader("X-Scope-OrgID"))));
      try (Backend b = start("rs_scope", c)) {
        long now = System.currentTimeMillis();
        // acme's token, a range before the head: one read, under acme's header and matcher
        String form =
            "query="
                + URLEncoder.encode(
                    "sum(rate(traefik_service_requests_total[5m]))", StandardCharsets.UTF_8)
                + "&start="
                + (now / 1000 - 7200)
                + "&end="
                + (now / 1000 - 3600)
                + "&step=60";
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + b.port() + "/api/v1/query_range?" + form))
                    .header("Authorization", "Bearer " + TestCollectors.ACME)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(asked).isNotEmpty();
        for (Asked a : asked) {
          assertThat(a.path()).isEqualTo("/prometheus/api/v1/query");
          assertThat(a.tenantHeader()).isEqualTo("acme");
          assertThat(a.query()).contains("tenant=~\"acme\"").doesNotContain("globex");
        }
        // label values for acme: the series call, also under acme's scope only
        asked.clear();
        r =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + b.port()
                                + "/api/v1/label/service/values?start="
                                + (now / 1000 - 86400)
                                + "&end="
                                + (now / 1000 - 3600 * 4)))
                    .header("Authorization", "Bearer " + TestCollectors.ACME)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(asked).extracting(Asked::path).containsOnly("/prometheus/api/v1/series");
        assertThat(asked).extracting(Asked::tenantHeader).containsOnly("acme");
        // the rule engine sees every tenant: one read a tenant, each under its own header
        asked.clear();
        RuleEngine.GroupState odoo =
            b.rules().groups().stream()
                .filter(g -> g.group().name().equals("tillwatch-odoo"))
                .findFirst()
                .orElseThrow();
        b.evaluate(odoo, now - 4 * 3600_000L);
        assertThat(asked).extracting(Asked::tenantHeader).containsAll(TENANTS);
        for (Asked a : asked) {
          assertThat(a.query()).contains("tenant=~\"" + a.tenantHeader() + "\"");
        }
      }
    } finally {
      api.stop(0);
    }
  }
}
