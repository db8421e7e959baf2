package io.tillwatch.demo;

import io.tillwatch.collector.Backend;

/**
 * Prints each alert as it turns pending, fires and resolves (every 2 s), and once a minute the SLOs
 * (from the collector's {@code /api/v1/slos}, the first time after 20 s) and how much the collector
 * has stored.
 */
final class DemoReporter {
  private static final long COUNTS_EVERY_MS = 60_000;

  private final Thread thread;

  private DemoReporter(Thread thread) {
    this.thread = thread;
  }

  static DemoReporter start(
      Backend backend,
      String token,
      String tenant,
      java.time.ZoneId zone,
      java.nio.file.Path dir,
      java.time.Duration reportAfter) {
    DemoAlerts alerts = new DemoAlerts(backend.rules(), System.out);
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("demo-report")
            .start(() -> run(backend, token, alerts, tenant, zone, dir, reportAfter.toMillis()));
    return new DemoReporter(t);
  }

  private static void run(
      Backend backend,
      String token,
      DemoAlerts alerts,
      String tenant,
      java.time.ZoneId zone,
      java.nio.file.Path dir,
      long reportAfterMillis) {
    long lastCounts = System.currentTimeMillis();
    long nextSlos = lastCounts + 65_000; // a minute of slices first
    long report = lastCounts + reportAfterMillis;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(2_000);
        alerts.report();
        if (report > 0 && System.currentTimeMillis() >= report) {
          report = 0;
          printReport(backend, tenant, zone, dir);
        }
        if (System.currentTimeMillis() >= nextSlos) {
          nextSlos = System.currentTimeMillis() + COUNTS_EVERY_MS;
          printSlos(backend, token);
        }
        if (System.currentTimeMillis() - lastCounts >= COUNTS_EVERY_MS) {
          lastCounts = System.currentTimeMillis();
          printCounts(backend);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        System.err.println("tillwatch demo: " + e.getMessage());
      }
    }
  }

  private static void printSlos(Backend backend, String token) throws Exception {
    var r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + backend.port() + "/api/v1/slos"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return;
    }
    for (var s :
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("data")) {
      System.out.printf(
          java.util.Locale.ROOT,
          "tillwatch demo: SLO %s/%-21s %s of %s over %s, budget left %s: %s%n",
          s.path("tenant").asText(),
          s.path("slo").asText(),
          percent(s.path("attained")),
          percent(s.path("objective")),
          s.path("window").asText(),
          percent(s.path("budget_remaining")),
          s.path("state").asText());
    }
  }

  /**
   * Renders this week's report of {@code tenant} so far (HTML, PDF, PNGs, CSV) into {@code dir}.
   */
  static java.util.List<java.nio.file.Path> printReport(
      Backend backend, String tenant, java.time.ZoneId zone, java.nio.file.Path dir)
      throws Exception {
    io.tillwatch.alerting.report.IsoWeek week =
        io.tillwatch.alerting.report.IsoWeek.of(java.time.LocalDate.now(zone));
    var rendered =
        new io.tillwatch.alerting.report.ReportRenderer(
                io.tillwatch.alerting.report.ReportBrand.DEFAULT,
                io.tillwatch.alerting.report.ReportFonts.system())
            .render(backend.reportFacts().tenant(tenant, week));
    var files = rendered.writeTo(dir);
    System.out.printf(
        "tillwatch demo: the weekly SLO report of %s, week %s so far: %s%n",
        tenant, week, rendered.subject());
    for (var f : files) {
      System.out.println("tillwatch demo:   " + f);
    }
    return files;
  }

  private static String percent(com.fasterxml.jackson.databind.JsonNode n) {
    return n.isNull() || n.isMissingNode()
        ? "-"
        : String.format(java.util.Locale.ROOT, "%.1f %%", n.asDouble() * 100);
  }

  private static void printCounts(Backend backend) throws Exception {
    var counts = backend.store().counts();
    long samples = backend.head().samples();
    System.out.printf(
        "tillwatch demo: stored %d series, %d samples; head %d samples (%.2f bytes a sample)%n",
        counts.series(),
        counts.samples(),
        samples,
        samples == 0 ? 0.0 : (double) backend.head().encodedBytes() / samples);
  }

  void stop() {
    thread.interrupt();
  }
}
