package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package as {@code scripts/package.sh} builds it from this build's distribution:
 * installed with {@code dpkg -i} on this machine (tests run as root, on a machine of their own),
 * its systemd units accepted by {@code systemd-analyze verify}, the packaged binary running on its
 * bundled runtime, and removed again without a trace but its configuration (purged after).
 */
class PackageIT {
  @TempDir Path dir;

  private record Ran(int exit, String output) {}

  private static Ran run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Ran(p.exitValue(), out);
  }

  private static Ran ok(String... command) throws Exception {
    Ran r = run(Map.of(), command);
    assertThat(r.exit()).as(String.join(" ", command) + "\n" + r.output()).isZero();
    return r;
  }

  @Test
  @Timeout(600)
  void builtInstalledVerifiedRunAndRemoved() throws Exception {
    Ran built =
        run(
            Map.of("TILLWATCH_JAR", Path.of("target", "tillwatch.jar").toAbsolutePath().toString()),
            "bash",
            Path.of("..", "scripts", "package.sh").toString(),
            dir.toString());
    assertThat(built.exit()).as(built.output()).isZero();
    Path deb = Path.of(built.output().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertThat(deb.getFileName().toString()).matches("tillwatch_[0-9.]+_amd64\\.deb");
    assertThat(ok("dpkg-deb", "--field", deb.toString(), "Package").output().strip())
        .isEqualTo("tillwatch");
    List<String> contents = ok("dpkg-deb", "--contents", deb.toString()).output().lines().toList();
    assertThat(String.join("\n", contents))
        .contains("./lib/systemd/system/tillwatch-agent.service")
        .contains("./lib/systemd/system/tillwatch-collector.service")
        .contains("./etc/tillwatch/estate.yaml")
        .contains("./opt/tillwatch/runtime/bin/java")
        .contains("./usr/bin/tillwatch -> /opt/tillwatch/bin/tillwatch");

    run(Map.of(), "dpkg", "--purge", "tillwatch"); // a previous run's, if any
    try {
      ok("dpkg", "-i", deb.toString());
      assertThat(ok("getent", "passwd", "tillwatch").output()).contains("/var/lib/tillwatch");
      Ran verify =
          run(
              Map.of(),
              "systemd-analyze",
              "verify",
              "/lib/systemd/system/tillwatch-agent.service",
              "/lib/systemd/system/tillwatch-collector.service");
      assertThat(verify.exit()).as(verify.output()).isZero();
      String unit = Files.readString(Path.of("/lib/systemd/system/tillwatch-agent.service"));
      assertThat(unit)
          .contains("User=tillwatch", "ProtectSystem=strict", "NoNewPrivileges=yes")
          .contains("LoadCredential=", "StateDirectory=tillwatch");
      assertThat(ok("/usr/bin/tillwatch", "--version").output()).contains("tillwatch ");
      assertThat(
              ok("/usr/bin/tillwatch", "agent", "--config", "/etc/tillwatch/estate.yaml", "--check")
                  .output())
          .contains("valid: 0 tenants");
      Path creds = Files.createDirectories(dir.resolve("credentials"));
      Files.writeString(creds.resolve("platform-token"), "packaged-token-0123456789\n");
      Files.writeString(creds.resolve("db-password"), "secret\n");
      Ran collector =
          run(
              Map.of("CREDENTIALS_DIRECTORY", creds.toString()),
              "/usr/bin/tillwatch",
              "collector",
              "--config",
              "/etc/tillwatch/collector.yaml",
              "--check");
      assertThat(collector.exit()).as(collector.output()).isZero();
      assertThat(collector.output()).contains("valid: 1 tokens").doesNotContain("packaged-token");

      ok("dpkg", "-r", "tillwatch");
      for (String gone :
          List.of(
              "/opt/tillwatch",
              "/usr/bin/tillwatch",
              "/lib/systemd/system/tillwatch-agent.service")) {
        assertThat(Path.of(gone)).as(gone).doesNotExist();
      }
      assertThat(Path.of("/etc/tillwatch/estate.yaml")).exists(); // configuration stays
    } finally {
      run(Map.of(), "dpkg", "--purge", "tillwatch");
    }
    assertThat(Path.of("/etc/tillwatch")).doesNotExist();
  }
}
