package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch tenant add} as an onboarding script runs it. */
class TenantAddIT {
  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run run(String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process p = Distribution.start(out, Map.of(), args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  private Run add(Path estate, Path template, String id, String... sets) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "tenant",
                "add",
                "--config",
                estate.toString(),
                "--id",
                id,
                "--template",
                template.toString()));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return run(args.toArray(String[]::new));
  }

  @Test
  @Timeout(120)
  void aTemplateBecomesACheckedTenantFile() throws Exception {
    Path tenants = Files.createDirectories(dir.resolve("tenants.d"));
    Path estate = dir.resolve("estate.yaml");
    Files.writeString(estate, "tenants_dir: tenants.d\n");
    Path template = dir.resolve("dedicated.yaml");
    Files.writeString(
        template,
        """
        id: {{id}}
        name: {{name}}
        tier: dedicated
        timezone: {{timezone}}
        targets:
          - type: backup_status
            name: {{id}}-dump
            path: /var/lib/backup/{{id}}.json
        """);
    Run ok = add(estate, template, "acme", "name=ACME Retail", "timezone=Europe/Berlin");
    assertThat(ok.exit()).as(ok.output()).isZero();
    Path written = tenants.resolve("acme.yaml");
    assertThat(ok.output()).contains("wrote " + written);
    assertThat(Files.readString(written))
        .contains("id: acme", "name: ACME Retail", "name: acme-dump", "Europe/Berlin");
    assertThat(run("agent", "--config", estate.toString(), "--check").output())
        .contains("valid: 1 tenants, 1 targets");

    // a value missing, a result that is no valid tenant, the file there already
    Run missing = add(estate, template, "bistro", "name=Bistro");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output()).contains("the template needs timezone");
    Run invalid = add(estate, template, "corner", "name=Corner", "timezone=Mars/Olympus");
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.output())
        .contains(tenants.resolve("corner.yaml") + ":4:")
        .contains("unknown time zone 'Mars/Olympus'");
    assertThat(tenants.resolve("corner.yaml")).doesNotExist();
    Run again = add(estate, template, "acme", "name=ACME", "timezone=Europe/Berlin");
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.output()).contains("exists: give --force");
    // a second tenant beside the first
    Run second = add(estate, template, "delta", "name=Delta", "timezone=UTC");
    assertThat(second.exit()).as(second.output()).isZero();
    try (var files = Files.list(tenants)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("acme.yaml", "delta.yaml");
    }
  }
}
