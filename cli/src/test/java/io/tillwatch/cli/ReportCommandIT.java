package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.CollectorConfigLoader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tillwatch report} from the built jar, on a collector's database: files, then a send. */
class ReportCommandIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run run(String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime());
    Process p = Distribution.start(out, Map.of(), args);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  @Timeout(300)
  void rendersTheFilesOfAWeekAndSendsThemOnDemand() throws Exception {
    PG.createDatabase("report_cli");
    Path slos = dir.resolve("slos.yml");
    Files.writeString(
        slos,
        """
        slos:
          - name: shop-availability
            objective: 99.5
            window: month
            sli:
              events:
                good: sum by (tenant) (rate(traefik_service_requests_total{code!~"5.."}[{{.window}}]))
                total: sum by (tenant) (rate(traefik_service_requests_total[{{.window}}]))
        """);
    Path estate = dir.resolve("estate.yaml");
    Files.writeString(
        estate,
        "tenants:\n  - {id: acme, name: Acme Retail, tier: dedicated, timezone: Europe/Berlin,"
            + " targets: []}\n");
    Path file = dir.resolve("collector.yaml");
    Files.writeString(
        file,
        """
        collector:
          listen: 127.0.0.1:0
          storage:
            url: %s
            user: %s
            password: %s
          tokens:
            - token: platform-token-0123456789
              tenants: ["*"]
          builtin_rule_pack: false
          builtin_slos: false
          slo_files: [slos.yml]
        reports:
          weekly:
            from: "tillwatch <slo@hoster.example>"
            smtp: {host: 127.0.0.1, port: %d, starttls: off}
            recipients:
              acme: [ops@acme.example]
            brand: {name: Hoster Cloud}
        """
            .formatted(
                PG.server().jdbcUrl("report_cli"),
                PostgresServer.SUPERUSER,
                PG.server().superuserPassword(),
                MAIL.getSmtp().getPort()));
    // last week's traffic in Berlin, counted into the rollups by a collector
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    IsoWeek last = IsoWeek.of(LocalDate.now(berlin)).plus(-1);
    CollectorConfig c =
        new CollectorConfigLoader(Interpolation.withoutEnvironment(Files::readString)).load(file);
    Map<String, Tenant> tenants =
        Map.of(
            "acme",
            new Tenant(
                "acme",
                "Acme Retail",
                Tier.DEDICATED,
                berlin,
                io.tillwatch.calendar.BusinessHours.always()));
    try (RunningBackend b =
        RunningBackend.start(
            c,
            RunningBackend.ruleGroups(c, Files::readString, tenants),
            RunningBackend.sloCatalog(c, Files::readString),
            tenants,
            RunningBackend.Binaries.DEFAULT,
            new PrintWriter(System.out))) {
      Instant end = last.end(berlin);
      Otlp.postShopTraffic(
          b.backend().port(),
          "platform-token-0123456789",
          "acme",
          end.toEpochMilli(),
          7 * 1440,
          60,
          k -> k % 1440 < 30 ? 6 : 0);
      await().atMost(Duration.ofSeconds(60)).until(() -> b.backend().queuedSamples() == 0);
      for (int i = 0; i < 40 && b.backend().slos().update() > 0; i++) {
        assertThat(b.backend().slos().check().ok()).isTrue();
      }
    }

    Path out = dir.resolve("reports");
    Run r =
        run(
            "report",
            "--config",
            file.toString(),
            "--estate",
            estate.toString(),
            "--tenant",
            "acme",
            "--week",
            last.toString(),
            "--out",
            out.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    String name = "acme-" + last;
    for (String f :
        new String[] {
          ".html", ".txt", ".pdf", "-slos.csv", "-incidents.csv", "-burn-0.png", "-weeks-0.png"
        }) {
      assertThat(out.resolve(name + f)).as(f).isNotEmptyFile();
      assertThat(r.output()).contains(out.resolve(name + f).toString());
    }
    String html = Files.readString(out.resolve(name + ".html"));
    assertThat(html).contains("src=\"" + name + "-burn-0.png\"").doesNotContain("cid:");
    // 30 minutes a day, 6 of 60 a minute fail: 180 of 86,400 a day
    String attained = String.format(java.util.Locale.ROOT, "%.2f%%", 100 * (1 - 180.0 / 86_400));
    assertThat(attained).isEqualTo("99.79%");
    assertThat(Files.readString(out.resolve(name + ".txt")))
        .contains("Acme Retail: week " + last)
        .contains("this week " + attained + " (kept)");
    try (var pdf = Loader.loadPDF(Files.readAllBytes(out.resolve(name + ".pdf")))) {
      assertThat(new PDFTextStripper().getText(pdf).replace("-\n", "-"))
          .contains("shop-availability")
          .contains(attained);
    }
    assertThat(MAIL.getReceivedMessages()).isEmpty();

    Run sent =
        run(
            "report",
            "--config",
            file.toString(),
            "--estate",
            estate.toString(),
            "--tenant",
            "acme",
            "--week",
            last.toString(),
            "--out",
            out.toString(),
            "--send");
    assertThat(sent.exit()).as(sent.output()).isZero();
    assertThat(sent.output()).contains("sent " + name);
    assertThat(MAIL.getReceivedMessages()).hasSize(1);
    assertThat(MAIL.getReceivedMessages()[0].getSubject())
        .startsWith("Acme Retail: service levels");

    Run bad = run("report", "--config", file.toString(), "--tenant", "acme", "--week", "2026-48");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.output()).contains("is not an ISO week (expected YYYY-Www");
  }
}
