package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP makes a running agent read its estate file again; a broken one is refused. */
class AgentSighupIT {
  @TempDir Path dir;

  private String tenant(String id) throws Exception {
    return io.tillwatch.testkit.EstateFiles.statusTenant(dir, id);
  }

  private static String metrics(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }

  private static void hangUp(Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  @Test
  @Timeout(120)
  void aHangupReloadsTheEstateFile() throws Exception {
    int port = io.tillwatch.localpg.FreePorts.next();
    String head =
        "agent: {listen: \"127.0.0.1:%d\", interval: 1s, timeout: 1s}\ntenants:\n".formatted(port);
    Path file = dir.resolve("estate.yaml");
    Files.writeString(file, head + tenant("acme"));
    Path out = dir.resolve("out.txt");
    Process p = Distribution.start(out, Map.of(), "agent", "--config", file.toString());
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> metrics(port).contains("target=\"acme-backups\""));
      Files.writeString(file, head + tenant("acme") + tenant("bistro"));
      hangUp(p);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> metrics(port).contains("target=\"bistro-backups\""));
      Files.writeString(file, head.replace("interval", "intervall") + tenant("acme"));
      hangUp(p);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  metrics(port)
                      .matches("(?s).*\\ntillwatch_config_last_reload_successful 0(\\.0)?\\n.*"));
      assertThat(metrics(port)).contains("target=\"bistro-backups\"");
      assertThat(Files.readString(out))
          .contains("reload refused, the running configuration stays")
          .contains(file + ":1:");
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(p.exitValue()).isZero();
  }
}
