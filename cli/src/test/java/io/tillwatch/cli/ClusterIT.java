package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three collector processes on one PostgreSQL share 30 tenants: each tenant's alerts are evaluated
 * by exactly one replica; {@code kill -9} of one moves its tenants to the others within two
 * evaluation intervals, their alerts firing on as they were (no resolve, no new pending); the
 * replica started again gets its share back.
 */
class ClusterIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @RegisterExtension
  static final com.icegreen.greenmail.junit5.GreenMailExtension MAIL =
      new com.icegreen.greenmail.junit5.GreenMailExtension(
          com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());

  /** The subjects with a weekly report: six shops and the estate. */
  private static final List<String> REPORTED =
      List.of("shop-0", "shop-1", "shop-2", "shop-3", "shop-4", "shop-5", "estate");

  private static final String TOKEN = "cluster-test-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  @TempDir Path dir;

  private final Map<String, Integer> ports = new LinkedHashMap<>();

  private Process start(String replica) throws Exception {
    Path config = dir.resolve(replica + ".yaml");
    Files.writeString(
        config,
        """
        collector:
          listen: 127.0.0.1:%d
          storage:
            url: %s
            user: postgres
            password: ${TILLWATCH_DB_PASSWORD}
          tokens:
            - token: ${AGENT_TOKEN}
              tenants: ["*"]
          evaluation_interval: 2s
          builtin_rule_pack: false
          builtin_slos: false
          own_metrics_interval: 0s
          rule_files: [rules.yml]
          cluster:
            replica: %s
            shards: 16
        reports:
          weekly:
            send_at: Mon 00:00
            from: "tillwatch <slo@hoster.example>"
            smtp: {host: 127.0.0.1, port: %d, starttls: off}
            recipients:
        %s
        """
            .formatted(
                ports.get(replica),
                PG.server().jdbcUrl("cluster"),
                replica,
                MAIL.getSmtp().getPort(),
                recipients()));
    Process p =
        Distribution.start(
            dir.resolve(replica + ".log"),
            Map.of("TILLWATCH_DB_PASSWORD", PG.server().superuserPassword(), "AGENT_TOKEN", TOKEN),
            "collector",
            "--config",
            config.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> get(replica, "/-/ready").statusCode() == 200);
    return p;
  }

  private static String recipients() {
    StringBuilder b = new StringBuilder();
    for (String s : REPORTED) {
      b.append("      ").append(s).append(": [").append(s).append("@shops.example]\n");
    }
    return b.toString();
  }

  private HttpResponse<String> get(String replica, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(replica) + path))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One alert as a replica shows it. */
  private record Seen(String replica, String state, String activeAt) {}

  /** Tenant → the alerts of the replicas in {@code replicas}, as they answer now. */
  private Map<String, List<Seen>> alerts(List<String> replicas) throws Exception {
    Map<String, List<Seen>> out = new TreeMap<>();
    for (String r : replicas) {
      JsonNode body = JSON.readTree(get(r, "/api/v1/alerts").body());
      for (JsonNode a : body.path("data").path("alerts")) {
        out.computeIfAbsent(a.path("labels").path("tenant").asText(), k -> new ArrayList<>())
            .add(new Seen(r, a.path("state").asText(), a.path("activeAt").asText()));
      }
    }
    return out;
  }

  private static List<String> tenants() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      out.add("shop-" + i);
    }
    return out;
  }

  @Test
  @Timeout(240)
  void tenantsAreSharedTakenOverAfterKillMinus9AndRebalanced() throws Exception {
    PG.createDatabase("cluster");
    Files.writeString(
        dir.resolve("rules.yml"),
        """
        groups:
          - name: cluster-test
            rules:
              - alert: ShopDown
                expr: cluster_test_up == 0
                for: 4s
                labels: {severity: page}
                risk: order_capture
                impact: "The shop takes no orders."
        """);
    for (String r : List.of("r1", "r2", "r3")) {
      ports.put(r, FreePorts.next());
    }
    List<Process> running = new ArrayList<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    Thread sender = null;
    try {
      for (String r : ports.keySet()) {
        running.add(start(r));
      }
      // every tenant's shop is down, reported every second to one replica or another
      sender =
          Thread.ofPlatform()
              .start(
                  () -> {
                    int n = 0;
                    while (sending.get()) {
                      long now = System.currentTimeMillis();
                      for (String t : tenants()) {
                        Gauge.Builder g = Gauge.newBuilder();
                        g.addDataPoints(
                            NumberDataPoint.newBuilder()
                                .setTimeUnixNano(now * 1_000_000L)
                                .setAsDouble(0));
                        for (String r : List.of("r1", "r3", "r2")) {
                          String target = List.of("r1", "r2", "r3").get(n++ % 3);
                          try {
                            if (Otlp.post(
                                        ports.get(target),
                                        TOKEN,
                                        Otlp.request(
                                            t,
                                            Metric.newBuilder()
                                                .setName("cluster_test_up")
                                                .setGauge(g)))
                                    .statusCode()
                                == 200) {
                              break;
                            }
                          } catch (RuntimeException down) {
                            // that replica is away: the next one takes it
                          }
                        }
                      }
                      try {
                        Thread.sleep(1000);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      List<String> all = List.of("r1", "r2", "r3");
      // every tenant firing at exactly one replica
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                Map<String, List<Seen>> now = alerts(all);
                assertThat(now.keySet()).containsExactlyInAnyOrderElementsOf(tenants());
                now.forEach(
                    (t, seen) -> {
                      assertThat(seen).as(t).hasSize(1);
                      assertThat(seen.get(0).state()).as(t).isEqualTo("firing");
                    });
              });
      Map<String, List<Seen>> before = alerts(all);
      Map<String, Integer> share = new TreeMap<>();
      before.values().forEach(s -> share.merge(s.get(0).replica(), 1, Integer::sum));
      assertThat(share.keySet()).containsExactlyInAnyOrder("r1", "r2", "r3");
      JsonNode cluster = JSON.readTree(get("r1", "/api/v1/status/cluster").body()).path("data");
      assertThat(cluster.path("mode").asText()).isEqualTo("replicas");
      int shards = 0;
      for (JsonNode r : cluster.path("replicas")) {
        assertThat(r.path("alive").asBoolean()).as(r.toString()).isTrue();
        shards += r.path("shards").size();
      }
      assertThat(shards).isEqualTo(16);

      // kill -9 of r2: its tenants fire on at r1 or r3 within two evaluation intervals, as they
      // were (the same activeAt: no resolve, no new pending)
      Set<String> ofR2 = new TreeSet<>();
      before.forEach(
          (t, s) -> {
            if (s.get(0).replica().equals("r2")) {
              ofR2.add(t);
            }
          });
      Process r2 = running.get(1);
      r2.destroyForcibly();
      long killed = System.nanoTime();
      r2.waitFor();
      List<String> left = List.of("r1", "r3");
      long[] movedAfter = {-1};
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                Map<String, List<Seen>> now = alerts(left);
                now.forEach((t, seen) -> assertThat(seen).as(t).hasSize(1));
                assertThat(now.keySet()).containsAll(ofR2);
                movedAfter[0] = System.nanoTime() - killed;
              });
      Map<String, List<Seen>> after = alerts(left);
      for (String t : tenants()) {
        assertThat(after.get(t)).as(t).hasSize(1);
        assertThat(after.get(t).get(0).state()).as(t).isEqualTo("firing");
        assertThat(after.get(t).get(0).activeAt()).as(t).isEqualTo(before.get(t).get(0).activeAt());
      }
      System.out.printf(
          "r2's %d tenants firing at r1/r3 %d ms after kill -9 (evaluation interval %d ms)%n",
          ofR2.size(), movedAfter[0] / 1_000_000, INTERVAL.toMillis());
      assertThat(Duration.ofNanos(movedAfter[0])).isLessThanOrEqualTo(INTERVAL.multipliedBy(2));

      // r2 comes back under its name: it takes its share again, nothing is evaluated twice
      running.set(1, start("r2"));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                Map<String, List<Seen>> now = alerts(all);
                assertThat(now.keySet()).containsExactlyInAnyOrderElementsOf(tenants());
                now.forEach((t, seen) -> assertThat(seen).as(t).hasSize(1));
                assertThat(now.values()).anyMatch(s -> s.get(0).replica().equals("r2"));
              });
      Map<String, List<Seen>> rebalanced = alerts(all);
      for (String t : tenants()) {
        assertThat(rebalanced.get(t).get(0).state()).as(t).isEqualTo("firing");
        assertThat(rebalanced.get(t).get(0).activeAt())
            .as(t)
            .isEqualTo(before.get(t).get(0).activeAt());
      }
      assertThat(Instant.parse(before.get("shop-0").get(0).activeAt())).isBefore(Instant.now());

      // the week's reports: each subject's sent once, by the replica that holds it
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> MAIL.getReceivedMessages().length >= REPORTED.size());
      Thread.sleep(3_000); // a second send would come within the replicas' next rounds
      Map<String, Integer> received = new TreeMap<>();
      for (var m : MAIL.getReceivedMessages()) {
        for (var to : m.getAllRecipients()) {
          received.merge(to.toString(), 1, Integer::sum);
        }
      }
      for (String s : REPORTED) {
        assertThat(received.get(s + "@shops.example")).as(s).isEqualTo(1);
      }
    } finally {
      sending.set(false);
      if (sender != null) {
        sender.join(5_000);
      }
      for (Process p : running) {
        p.destroy();
      }
      for (Process p : running) {
        p.waitFor();
      }
    }
  }
}
