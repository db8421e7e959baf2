package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch agent --check} checks the estate file and every file of its tenants_dir. */
class AgentCheckIT {
  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run check(Path estate) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process p =
        Distribution.start(out, Map.of(), "agent", "--config", estate.toString(), "--check");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  @Timeout(120)
  void aBrokenTenantFileIsNamedWithItsLine() throws Exception {
    Path tenants = Files.createDirectories(dir.resolve("tenants.d"));
    Path estate = dir.resolve("estate.yaml");
    Files.writeString(estate, "tenants_dir: tenants.d\n");
    String tenant =
        """
        id: %s
        tier: shared
        timezone: Europe/Berlin
        targets:
          - {type: backup_status, name: %s-dump, path: /var/lib/backup/%s.json}
        """;
    Files.writeString(tenants.resolve("acme.yaml"), tenant.formatted("acme", "acme", "acme"));
    Files.writeString(
        tenants.resolve("bistro.yaml"),
        tenant.formatted("bistro", "bistro", "bistro").replace("timezone", "time_zone"));
    Run broken = check(estate);
    assertThat(broken.exit()).isEqualTo(2);
    assertThat(broken.output())
        .contains(tenants.resolve("bistro.yaml") + ":3:1: time_zone: Unknown property")
        .contains("1 of 2 tenant files");
    Files.writeString(
        tenants.resolve("bistro.yaml"), tenant.formatted("bistro", "bistro", "bistro"));
    Run fine = check(estate);
    assertThat(fine.exit()).as(fine.output()).isZero();
    assertThat(fine.output()).contains("valid: 2 tenants, 2 targets");
  }
}
