package io.tillwatch.alerting.report;

import io.tillwatch.slo.SloState;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reports with known figures, for rendering tests. */
final class ReportFixtures {
  static final IsoWeek WEEK = IsoWeek.parse("2026-W48");
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private ReportFixtures() {}

  static WeeklyReport.SloLine line(
      String tenant, String name, SloState state, double remaining, double attainedWeek) {
    List<WeeklyReport.DayValue> burn = new ArrayList<>();
    LocalDate first = WEEK.sunday().minusDays(27);
    for (int i = 0; i < 28; i++) {
      burn.add(
          new WeeklyReport.DayValue(
              first.plusDays(i), Optional.of(1 - (1 - remaining) * (i + 1) / 28)));
    }
    List<WeeklyReport.WeekValue> weekly = new ArrayList<>();
    for (int i = 12; i >= 0; i--) {
      weekly.add(
          new WeeklyReport.WeekValue(
              WEEK.plus(-i), i == 5 ? Optional.empty() : Optional.of(0.999 - i * 0.0002)));
    }
    return new WeeklyReport.SloLine(
        tenant,
        tenant.toUpperCase(java.util.Locale.ROOT),
        name,
        "Stock reaches the stores in time",
        "stores may sell stock they no longer have",
        "28-day",
        0.995,
        state,
        Optional.of(attainedWeek),
        Optional.of(0.9971),
        Optional.of(remaining),
        Optional.of(remaining + 0.12),
        Optional.of(3.24),
        Optional.of(Duration.ofHours(99)),
        "https://runbooks.example/slo#stock-sync",
        Optional.of("StockSyncStalled"),
        burn,
        28,
        weekly);
  }

  static WeeklyReport acme() {
    Instant start = WEEK.start(BERLIN);
    List<WeeklyReport.DayOrders> orders = new ArrayList<>();
    List<WeeklyReport.DayValue> peaks = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      LocalDate d = WEEK.monday().plusDays(i);
      orders.add(new WeeklyReport.DayOrders(d, Optional.of(1200.0 + i), Optional.of(1000.0)));
      peaks.add(new WeeklyReport.DayValue(d, Optional.of(40.0 + i)));
    }
    return new WeeklyReport(
        "acme",
        "Acme Retail & Co",
        WEEK,
        BERLIN,
        WEEK.end(BERLIN).plusSeconds(8 * 3600),
        List.of(
            line("acme", "stock-sync-freshness", SloState.AT_RISK, 0.38, 0.9931),
            line("acme", "order-intake", SloState.HEALTHY, 0.91, 0.9995)),
        List.of(
            new WeeklyReport.Incident(
                "acme",
                "StockSyncStalled",
                "page",
                "inventory_accuracy",
                "stores may sell stock they no longer have",
                start.plusSeconds(86_400 + 3600),
                Optional.of(start.plusSeconds(86_400 + 3600 + 4800)),
                Duration.ofSeconds(4800))),
        List.of(
            new WeeklyReport.Maintenance(
                "db upgrade", start.plusSeconds(3 * 86_400), start.plusSeconds(3 * 86_400 + 7200))),
        Optional.of(
            new WeeklyReport.Signals(
                orders,
                peaks,
                new WeeklyReport.Readiness(
                    Duration.ofMinutes(15),
                    Optional.of(start.plusSeconds(6 * 86_400)),
                    Optional.of(Duration.ofMinutes(7)),
                    Optional.of(0.0),
                    Optional.of(0.998),
                    Duration.ofHours(4),
                    Optional.of(start.plusSeconds(5 * 86_400)),
                    Optional.of(Duration.ofMinutes(95))))),
        List.of(),
        List.of(
            new WeeklyReport.Release(
                "acme",
                "odoo",
                "17.0.20261125",
                start.plusSeconds(2 * 86_400 + 9 * 3600),
                Optional.of(false),
                "release degraded order intake: order intake 60 orders in the 30m after, 120"
                    + " orders before (p = 4.6e-06)"),
            new WeeklyReport.Release(
                "acme",
                "odoo",
                "17.0.20261127",
                start.plusSeconds(4 * 86_400 + 9 * 3600),
                Optional.of(true),
                "release looked healthy: order intake 118 orders in the 30m after, 120 orders"
                    + " before (p = 0.45)")));
  }
}
