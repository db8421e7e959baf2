package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.collector.Backend;
import io.tillwatch.collector.events.Event;
import io.tillwatch.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch event deploy} as a CI/CD pipeline runs it, against a collector. */
class EventCommandIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String TOKEN = "acme-pipeline-token-0123456789";

  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run run(String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process p = Distribution.start(out, Map.of("TILLWATCH_TOKEN", TOKEN), args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  @Timeout(180)
  void aPipelineRecordsItsReleaseAndIsToldWhatIsWrong() throws Exception {
    PG.createDatabase("eventcli");
    try (Backend c =
        TestCollector.start(
            PG.server(), PG.server().jdbcUrl("eventcli"), 0, TOKEN, Set.of("acme"))) {
      String url = "http://127.0.0.1:" + c.port();
      Run ok =
          run(
              "event",
              "deploy",
              "--collector",
              url,
              "--tenant",
              "acme",
              "--version",
              "17.0.20241201",
              "--service",
              "odoo",
              "--text",
              "stock module upgrade");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output()).containsPattern("recorded deploy [0-9]+ of acme at ");
      List<Event> stored =
          c.events()
              .list(
                  Instant.now().minusSeconds(600),
                  Instant.now().plusSeconds(60),
                  null,
                  Optional.empty(),
                  10);
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).version()).isEqualTo("17.0.20241201");
      assertThat(stored.get(0).service()).isEqualTo("odoo");
      assertThat(stored.get(0).text()).isEqualTo("stock module upgrade");

      // refused: another tenant's release, a release without its version; the reason printed
      Run other =
          run("event", "deploy", "--collector", url, "--tenant", "globex", "--version", "1");
      assertThat(other.exit()).isEqualTo(1);
      assertThat(other.output()).contains("refused (HTTP 403)").contains("globex");
      Run noVersion = run("event", "deploy", "--collector", url, "--tenant", "acme");
      assertThat(noVersion.exit()).isEqualTo(1);
      assertThat(noVersion.output()).contains("refused (HTTP 400)").contains("version");
    }
    // nobody there: exit 2, saying where it looked
    Run away = run("event", "note", "--collector", "http://127.0.0.1:1", "--tenant", "acme");
    assertThat(away.exit()).isEqualTo(2);
    assertThat(away.output())
        .contains("cannot reach the collector at http://127.0.0.1:1")
        .doesNotContain(TOKEN);
  }
}
