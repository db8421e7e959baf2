package io.tillwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real Prometheus with the plain part of the built-in pack and tillwatch with the whole pack,
 * on the same estate and the same faults: the same alerts reach their Alertmanagers. The pack's
 * {@code for:} durations are shortened to 10 s in both, so that the test takes a minute.
 */
class SideBySideAlertsIT {
  @Test
  @Timeout(300)
  void prometheusAndTillwatchFireTheSameAlertsForTheSameFaults() throws Exception {
    Path pgBin = Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
    try (AlertRace race =
        AlertRace.start(pgBin, Duration.ofSeconds(2), Optional.of(Duration.ofSeconds(10)))) {
      AlertRace.Result r = race.run(Duration.ofMinutes(2));
      assertThat(r.tillwatch()).containsOnlyKeys(AlertRace.FAULT_ALERTS);
      assertThat(r.prometheus()).containsOnlyKeys(AlertRace.FAULT_ALERTS);
      // no faster than the rules allow: 10 s of "for" for two of them
      assertThat(r.tillwatch().get("StandbyStreamBroken")).isGreaterThan(Duration.ofSeconds(10));
      assertThat(r.tillwatch().get("StockSyncStalled")).isGreaterThan(Duration.ofSeconds(10));
      assertThat(r.tillwatchAlerts()).isEqualTo(r.prometheusAlerts());
      assertThat(r.tillwatchAlerts())
          .anyMatch(
              a -> a.startsWith("StandbyStreamBroken{") && a.contains("target=\"acme-standby\""))
          .anyMatch(
              a ->
                  a.startsWith("StockSyncStalled{")
                      && a.contains("channel=\"root.stock_sync\"")
                      && a.contains("tenant=\"acme\""))
          .anyMatch(a -> a.startsWith("BackupTooOld{") && a.contains("job=\"nightly-basebackup\""))
          .anyMatch(a -> a.startsWith("Watchdog{"));
    }
  }
}
