package io.tillwatch.alerting.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.slo.SloState;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ReportRendererTest {
  private static final ReportRenderer RENDERER =
      new ReportRenderer(ReportBrand.DEFAULT, ReportFonts.system());

  @Test
  void headlineSaysPromisesKeptAndTheMostSpentBudget() {
    assertThat(ReportView.headline(ReportFixtures.acme()))
        .isEqualTo(
            "1 of 2 promises kept this week; stock-sync-freshness used 62% of its 28-day budget.");
  }

  @Test
  void everyCidImageIsAttachedAndReferencedAndNoneIsInline() throws Exception {
    RenderedReport r = RENDERER.render(ReportFixtures.acme());
    Set<String> referenced = new HashSet<>();
    Matcher m = Pattern.compile("src=\"cid:([^\"]+)\"").matcher(r.html());
    while (m.find()) {
      referenced.add(m.group(1));
    }
    assertThat(referenced).isEqualTo(r.images().keySet()).hasSize(4);
    assertThat(r.html()).doesNotContain("data:").doesNotContain("<svg");
    for (byte[] png : r.images().values()) {
      var img = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(img.getWidth()).isEqualTo(ReportCharts.WIDTH);
      assertThat(img.getHeight()).isEqualTo(ReportCharts.HEIGHT);
    }
    assertThat(r.subject())
        .isEqualTo(
            "Acme Retail & Co: service levels, week 2026-W48 — 1 of 2 promises kept this week;"
                + " stock-sync-freshness used 62% of its 28-day budget.");
  }

  @Test
  void htmlAndTextCarryTheFiguresAndStateWords() {
    RenderedReport r = RENDERER.render(ReportFixtures.acme());
    assertThat(r.html())
        .contains("Acme Retail &amp; Co: week 2026-W48")
        .contains("Mon 23 Nov – Sun 29 Nov 2026, Europe/Berlin time")
        .contains("99.31% (missed)")
        .contains("99.95% (kept)")
        .contains(">38%<")
        .contains("−12 pts")
        .contains("3.2×")
        .contains("4 d 3 h")
        .contains("<td class=\"state s-at-risk\">At risk</td>")
        .contains("Tue 24 Nov 01:00")
        .contains("1 h 20 min")
        .contains("db upgrade")
        .contains("https://runbooks.example/slo#stock-sync")
        .contains("Releases of the week")
        .contains(
            "<td>Wed 25 Nov 09:00</td><td>odoo 17.0.20261125</td><td><strong>degraded</strong></td>"
                + "<td>order intake 60 orders in the 30m after, 120 orders before (p &#x3D; 4.6e-06)</td>")
        .contains("<td>odoo 17.0.20261127</td><td>looked healthy</td>");
    assertThat(r.text())
        .contains("stock-sync-freshness [At risk]")
        .contains("objective 99.5%; this week 99.31% (missed); 28-day window 99.71%")
        .contains("Mon 23 Nov: 1200 orders (same day last week 1000, +20%)")
        .contains("worst recovery point 7 min, within the RPO")
        .contains(
            "Last good restore drill (RTO 4 h): Sat 28 Nov 00:00, took 1 h 35 min, within the RTO.")
        .contains("RELEASES OF THE WEEK")
        .contains(
            "- Wed 25 Nov 09:00: odoo 17.0.20261125 degraded; order intake 60 orders in the 30m"
                + " after")
        .contains("- Fri 27 Nov 09:00: odoo 17.0.20261127 looked healthy; order intake 118")
        .doesNotContain("&amp;");
  }

  @Test
  @Timeout(120)
  void pdfIsA4WithEmbeddedFontsAndTheFiguresAndTurnsIntoPngPages() throws Exception {
    ReportFonts fonts = ReportFonts.system();
    assertThat(fonts.embedded()).as("DejaVu Sans (fonts-dejavu-core) is installed").isTrue();
    RenderedReport r = RENDERER.render(ReportFixtures.acme());
    try (PDDocument pdf = Loader.loadPDF(r.pdf())) {
      assertThat(pdf.getNumberOfPages()).isBetween(2, 6);
      List<String> fontNames = new ArrayList<>();
      for (PDPage page : pdf.getPages()) {
        assertThat(page.getMediaBox().getWidth())
            .isCloseTo(595.3f, org.assertj.core.data.Offset.offset(1f));
        assertThat(page.getMediaBox().getHeight())
            .isCloseTo(841.9f, org.assertj.core.data.Offset.offset(1f));
        for (COSName n : page.getResources().getFontNames()) {
          PDFont f = page.getResources().getFont(n);
          fontNames.add(f.getName());
          assertThat(f.isEmbedded()).as(f.getName() + " embedded").isTrue();
        }
      }
      assertThat(fontNames).isNotEmpty().allMatch(n -> n.contains("DejaVu"));
      String text = new PDFTextStripper().getText(pdf);
      assertThat(text)
          .contains("stock-sync-freshness")
          .contains("order-intake")
          .contains("99.31%")
          .contains("38%")
          .contains("Acme Retail & Co")
          .contains("At risk")
          .contains("Healthy");
    }
    Path dir = Path.of("target", "report-pages");
    Files.createDirectories(dir);
    Path pdfFile = dir.resolve("acme-2026-W48.pdf");
    Files.write(pdfFile, r.pdf());
    Process p =
        new ProcessBuilder(
                "pdftoppm", "-png", "-r", "60", pdfFile.toString(), dir.resolve("acme").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    try (var pages = Files.list(dir)) {
      List<Path> pngs =
          pages.filter(f -> f.getFileName().toString().matches("acme-\\d+\\.png")).toList();
      assertThat(pngs).isNotEmpty();
      for (Path png : pngs) {
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(400);
      }
    }
  }

  @Test
  void csvHoldsTheTablesAsFractions() {
    RenderedReport r = RENDERER.render(ReportFixtures.acme());
    assertThat(r.csv().keySet())
        .containsExactly("acme-2026-W48-slos.csv", "acme-2026-W48-incidents.csv");
    String[] slos = r.csv().get("acme-2026-W48-slos.csv").split("\r\n");
    assertThat(slos).hasSize(3);
    assertThat(slos[1])
        .isEqualTo(
            "acme,stock-sync-freshness,28-day,0.995,0.9931,0.9971,0.38,0.5,3.24,356400,At risk");
    assertThat(r.csv().get("acme-2026-W48-incidents.csv"))
        .contains(
            "acme,StockSyncStalled,page,inventory_accuracy,2026-11-24T00:00:00Z,"
                + "2026-11-24T01:20:00Z,4800,stores may sell stock they no longer have");
  }

  @Test
  void estateReportHasAHeatTableOfTenantsBySlo() throws Exception {
    WeeklyReport acme = ReportFixtures.acme();
    WeeklyReport estate =
        new WeeklyReport(
            WeeklyReport.ESTATE,
            "The estate",
            acme.week(),
            java.time.ZoneOffset.UTC,
            acme.generatedAt(),
            List.of(
                ReportFixtures.line("acme", "stock-sync-freshness", SloState.AT_RISK, 0.2, 0.99),
                ReportFixtures.line("bolt", "stock-sync-freshness", SloState.HEALTHY, 0.8, 0.999),
                ReportFixtures.line("bolt", "order-intake", SloState.EXHAUSTED, -0.1, 0.98)),
            acme.incidents(),
            List.of(),
            Optional.empty(),
            List.of(new WeeklyReport.WeekKept(acme.week(), 1, 3)),
            acme.releases());
    RenderedReport r = RENDERER.render(estate);
    // the estate's releases name their tenant, in the estate's zone
    assertThat(r.text()).contains("- acme · Wed 25 Nov 08:00: odoo 17.0.20261125 degraded");
    // its pages as PNGs for a reviewer, as the tenant's
    Path dir = Files.createDirectories(Path.of("target", "report-pages"));
    Path pdfFile = dir.resolve("estate-2026-W48.pdf");
    Files.write(pdfFile, r.pdf());
    Process p =
        new ProcessBuilder(
                "pdftoppm",
                "-png",
                "-r",
                "60",
                pdfFile.toString(),
                dir.resolve("estate").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(dir.resolve("estate-1.png")).isNotEmptyFile();
    try (PDDocument pdf = Loader.loadPDF(r.pdf())) {
      assertThat(new PDFTextStripper().getText(pdf))
          .contains("Budget left per tenant and promise")
          .contains("Exhausted");
    }
    assertThat(ReportView.headline(estate))
        .isEqualTo("1 of 3 promises kept this week across 2 tenants; 1 at risk, 1 exhausted.");
    assertThat(r.images().keySet()).containsExactly("kept");
    assertThat(r.html())
        .contains(
            "<td>ACME</td><td class=\"num s-at-risk\">20% At risk</td><td class=\"num s-none\">n/a </td>")
        .contains("<td class=\"num s-exhausted\">-10% Exhausted</td>");
  }
}
