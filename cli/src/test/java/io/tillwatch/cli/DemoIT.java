package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.localpg.FreePorts;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tillwatch demo --embedded} as a newcomer runs it: Maven Central's PostgreSQL (a newer
 * major than Debian's pgBackRest supports), every optional part either started or skipped with one
 * line saying why, a clean stop at {@code --for}, exit 0 and no stack trace.
 */
class DemoIT {
  @Test
  @Timeout(300)
  void runsOnTheEmbeddedBundleAndSkipsWhatTheMachineCannotRun() throws Exception {
    Path log = Files.createTempFile("tillwatch-demo-", ".log");
    try {
      Process p =
          Distribution.start(
              log,
              java.util.Map.of(),
              "demo",
              "--embedded",
              "--for=75s",
              "--report-after=50s",
              "--listen=127.0.0.1:" + FreePorts.next(),
              "--collector-listen-port=" + FreePorts.next());
      assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the demo stops by itself").isTrue();
      String out = Files.readString(log);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out)
          .contains("using PostgreSQL 18")
          .contains("tillwatch demo is running")
          .contains("a Traefik-shaped /metrics for the shop's ingress")
          .contains("grafana:      a Prometheus data source at http://127.0.0.1:")
          .contains("dashboards/provisioning/{datasources,dashboards}/tillwatch.yaml")
          .contains("FIRING   Watchdog")
          .contains("tillwatch demo: stopping; removing the sandbox")
          .containsPattern(
              "tillwatch demo: SLO acme/standby-streaming +[0-9.]+ % of 99.0 % over 1d")
          .contains("tillwatch demo: SLO acme/stock-sync-freshness")
          .containsPattern(
              "tillwatch demo: the weekly SLO report of acme, week 20[0-9]{2}-W[0-9]{2} so far")
          .containsPattern("tillwatch demo:   /.*/reports/acme-20[0-9]{2}-W[0-9]{2}\\.pdf")
          .containsPattern("tillwatch demo:   /.*/reports/acme-20[0-9]{2}-W[0-9]{2}-burn-0\\.png")
          .doesNotContain("\tat ")
          .doesNotContain("Exception");
      if (onPath("pgbackrest")) {
        // pgBackRest's own stanza-create decides; either way the demo says what it did
        assertThat(out)
            .containsAnyOf(
                "backups skipped: pgBackRest", "a pgBackRest stanza on the primary (full now");
        if (out.contains("backups skipped")) {
          assertThat(out).containsPattern("backups skipped: pgBackRest [0-9.]+ does not support");
        }
      } else {
        assertThat(out).contains("backups skipped: no pgbackrest on the PATH");
      }
      if (onPath("redis-server")) {
        assertThat(out).contains("Redis for Odoo's sessions");
      } else {
        assertThat(out).contains("Redis skipped: no redis-server on the PATH");
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static boolean onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, name))) {
        return true;
      }
    }
    return false;
  }
}
