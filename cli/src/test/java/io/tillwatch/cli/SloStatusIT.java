package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.collector.Backend;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import io.tillwatch.testkit.SloFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch slo status} against a running collector with an SLO file and an outage. */
class SloStatusIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String TOKEN = "slo-status-token-0123456789";

  @TempDir Path dir;

  @Test
  @Timeout(180)
  void printsEveryTenantsSloWithItsState() throws Exception {
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, SloFiles.ORDER_CAPTURE);
    PG.createDatabase("slostatus");
    PostgresServer pg = PG.server();
    CollectorConfig config =
        new CollectorConfig(
                new HostPort("127.0.0.1", 0),
                new StorageConfig(
                    Optional.of(pg.jdbcUrl("slostatus")),
                    PostgresServer.SUPERUSER,
                    Secret.of(pg.superuserPassword()),
                    StorageConfig.DEFAULT_RETENTION,
                    dir.resolve("unused")),
                Duration.ofHours(3),
                List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
                CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES,
                List.of(),
                false,
                Duration.ofHours(1),
                io.tillwatch.collector.config.AlertingConfig.NONE)
            .withSloFiles(List.of(slos));
    List<RuleGroup> groups = RunningBackend.ruleGroups(config, Files::readString);
    long now = System.currentTimeMillis() / 60_000 * 60_000;
    try (Backend c =
        Backend.start(
            config,
            config.storage().url().orElseThrow(),
            config.storage().user(),
            config.storage().password(),
            groups,
            Map.of())) {
      Otlp.postOutage(c.port(), TOKEN, "acme", "quiet", now);
      await().until(() -> c.head().samples() >= 4 * 121);
      RuleEngine.GroupState g = c.rules().groups().getFirst();
      c.evaluate(g, now);
      Path out = dir.resolve("out.txt");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Process p =
                    Distribution.start(
                        out,
                        Map.of("TILLWATCH_TOKEN", TOKEN),
                        "slo",
                        "status",
                        "--collector",
                        "http://127.0.0.1:" + c.port());
                return p.waitFor(60, TimeUnit.SECONDS)
                    && p.exitValue() == 0
                    && Files.readString(out).contains("quiet");
              });
      List<String> lines = Files.readAllLines(out);
      assertThat(lines.getFirst()).startsWith("TENANT").contains("BUDGET").contains("STATE");
      assertThat(lines)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("acme")
                      .contains("order-capture")
                      .contains("99.000%")
                      .contains("80.000%")
                      .contains("Exhausted"));
      assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("quiet").contains("Exhausted"));
    }
    Path bad = dir.resolve("bad.txt");
    Process p =
        Distribution.start(
            bad,
            Map.of("TILLWATCH_TOKEN", TOKEN),
            "slo",
            "status",
            "--collector",
            "http://127.0.0.1:1");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(bad))
        .contains("tillwatch: cannot start: cannot reach the collector at http://127.0.0.1:1")
        .doesNotContain("\tat ");
  }
}
