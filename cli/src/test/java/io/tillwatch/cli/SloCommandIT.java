package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch slo check} and {@code slo generate} from the built jar, checked by promtool. */
class SloCommandIT {
  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run run(String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime());
    Process p = Distribution.start(out, Map.of(), args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  void checksAndWritesRulesPerTierThatPromtoolAccepts() throws Exception {
    Path slos = dir.resolve("slos.yml");
    Files.writeString(
        slos,
        """
        slos:
          - name: order-capture
            objectives: {dedicated: 99.9, shared: 99.5}
            window: 30d
            sli:
              events:
                good: sum by (tenant) (rate(requests_total{code!~"5.."}[{{.window}}]))
                total: sum by (tenant) (rate(requests_total[{{.window}}]))
        """);
    Path estate = dir.resolve("estate.yaml");
    Files.writeString(
        estate,
        """
        tenants:
          - {id: acme, tier: dedicated, timezone: Europe/Berlin, targets: []}
          - {id: globex, tier: shared, timezone: Europe/Paris, targets: []}
          - {id: initech, tier: shared, timezone: America/New_York, targets: []}
        """);
    assertThat(run("slo", "check", slos.toString()).output())
        .contains("slos.yml: valid: 1 SLOs, 0 exclusions");
    Run noEstate = run("slo", "generate", slos.toString());
    assertThat(noEstate.exit()).isEqualTo(2);
    assertThat(noEstate.output()).contains("give --estate");

    Run generated = run("slo", "generate", slos.toString(), "--estate", estate.toString());
    assertThat(generated.exit()).as(generated.output()).isZero();
    assertThat(generated.output())
        .contains("name: 'slo-order-capture-dedicated'")
        .contains("name: 'slo-order-capture-shared'")
        .contains("tenant=~\"globex|initech\"")
        // a 30-day window: the workbook's 14.4 × a 0.1 % budget for dedicated tenants
        .contains(") / 0.001 > 14.4)");
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, generated.output());
    Path promtool = Path.of("/usr/bin/promtool");
    Assumptions.assumeTrue(Files.isExecutable(promtool) || System.getenv("CI") != null);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    // the built-in catalogue with the file's order capture for every tenant over it
    Run builtin =
        run("slo", "generate", "--builtin", slos.toString(), "--estate", estate.toString());
    assertThat(builtin.exit()).as(builtin.output()).isZero();
    assertThat(builtin.output())
        .contains("name: 'slo-checkout-latency'")
        .contains("name: 'slo-recovery-readiness'")
        .contains("runbook_url: 'docs/runbooks.md#slo-stock-sync-freshness'")
        // the file's order capture replaces the built-in one for every tenant
        .contains("name: 'slo-order-capture-dedicated'")
        .doesNotContain("slo-order-capture-others")
        .doesNotContain("service=~\"odoo.*\", code!~");
    Path all = dir.resolve("builtin.yml");
    Files.writeString(all, builtin.output());
    Process pb =
        new ProcessBuilder(promtool.toString(), "check", "rules", all.toString())
            .redirectErrorStream(true)
            .start();
    String outb = new String(pb.getInputStream().readAllBytes());
    assertThat(pb.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(pb.exitValue()).as(outb).isZero();

    Files.writeString(slos, "slos:\n  - name: order-capture\n    objective: 100\n");
    Run bad = run("slo", "check", slos.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.output()).contains(slos + ":3:");
  }
}
