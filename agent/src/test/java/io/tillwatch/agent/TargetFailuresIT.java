package io.tillwatch.agent;

import static io.tillwatch.agent.TestAgents.value;
import static io.tillwatch.agent.TestAgents.valueOrNaN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.model.Sample;
import io.tillwatch.sandbox.ReplicatedPostgres;
import io.tillwatch.testkit.ReplicatedPostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Broken targets are reported as up 0 with a reason and never delay the healthy ones. */
class TargetFailuresIT {
  @RegisterExtension
  static final ReplicatedPostgresExtension PG = new ReplicatedPostgresExtension();

  private Agent agent;
  private ServerSocket blackHole;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @AfterEach
  void cleanUp() throws IOException {
    TestAgents.stop(agent);
    if (blackHole != null) {
      blackHole.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
  }

  /** A port that accepts connections and never says a word. */
  private String hangingUrl() throws IOException {
    blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!blackHole.isClosed()) {
                try {
                  accepted.add(blackHole.accept());
                } catch (IOException e) {
                  return;
                }
              }
            });
    return "jdbc:postgresql://127.0.0.1:" + blackHole.getLocalPort() + "/postgres";
  }

  @Test
  @Timeout(120)
  void refusedHungAndBadAuthTargetsAreDownWithAReasonWhileTheHealthyOneIsScrapedOnTime()
      throws Exception {
    ReplicatedPostgres c = PG.cluster();
    c.primary().createMonitorRole(TestAgents.MONITOR, TestAgents.MONITOR_PASSWORD);
    Duration interval = Duration.ofSeconds(1);
    agent =
        TestAgents.started(
            TestAgents.estate(
                interval,
                Duration.ofSeconds(2),
                TestAgents.postgres("healthy", c.primary(), false),
                TestAgents.postgres(
                    "refused",
                    "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres",
                    "monitor",
                    "x",
                    false),
                TestAgents.postgres("hung", hangingUrl(), "monitor", "x", false),
                TestAgents.postgres(
                    "bad-password",
                    c.primary().jdbcUrl("postgres"),
                    TestAgents.MONITOR,
                    "wrong",
                    false)));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(reason("refused")).isEqualTo("refused");
              assertThat(reason("hung")).isEqualTo("timeout");
              assertThat(reason("bad-password")).isEqualTo("auth");
              assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", "healthy"))
                  .isEqualTo(1);
            });
    for (String down : List.of("refused", "hung", "bad-password")) {
      assertThat(valueOrNaN(agent, "tillwatch_target_up", "target", down)).as(down).isEqualTo(0);
      assertThat(value(agent.samples(), "tillwatch_pg_in_recovery", "target", down))
          .as(down)
          .isEmpty();
    }
    assertThat(valueOrNaN(agent, "tillwatch_target_scrape_duration_seconds", "target", "hung"))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(value(agent.samples(), "tillwatch_target_last_error_info", "target", "healthy"))
        .isEmpty();

    // while the hung target eats its whole timeout every time, the healthy one keeps its interval
    List<Double> scrapes = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              double t =
                  valueOrNaN(
                      agent, "tillwatch_target_last_scrape_timestamp_seconds", "target", "healthy");
              if (scrapes.isEmpty() || scrapes.get(scrapes.size() - 1) != t) {
                scrapes.add(t);
              }
              return scrapes.size() >= 9;
            });
    for (int i = 1; i < scrapes.size(); i++) {
      assertThat(scrapes.get(i) - scrapes.get(i - 1)).as("gap %d", i).isBetween(0.5, 1.5);
    }
  }

  private String reason(String target) {
    return agent.samples().stream()
        .filter(s -> s.metric().name().equals("tillwatch_target_last_error_info"))
        .filter(s -> target.equals(s.labels().get("target")))
        .map(Sample::labels)
        .map(l -> l.get("reason"))
        .findFirst()
        .orElse(null);
  }
}
