package io.tillwatch.slo;

import java.time.Duration;
import java.util.List;

/**
 * One multi-window burn-rate alert of the SRE Workbook: it fires when the burn rate over both the
 * long and the short window is above {@code factor}, the rate that spends {@code budgetShare} of
 * the budget within the long window.
 *
 * @param severity {@code page} or {@code ticket}
 * @param factor budget share × SLO window ÷ long window (30 days: 14.4, 6, 3, 1; 28 days: 13.44,
 *     5.6, 2.8, 0.933)
 */
public record BurnRateAlert(
    String severity, Duration longWindow, Duration shortWindow, double budgetShare, double factor) {

  /** The four alerts for an SLO whose window is {@code sloWindow} long (its nominal length). */
  public static List<BurnRateAlert> forWindow(Duration sloWindow) {
    return List.of(
        of("page", Duration.ofHours(1), Duration.ofMinutes(5), 0.02, sloWindow),
        of("page", Duration.ofHours(6), Duration.ofMinutes(30), 0.05, sloWindow),
        of("ticket", Duration.ofDays(1), Duration.ofHours(2), 0.10, sloWindow),
        of("ticket", Duration.ofDays(3), Duration.ofHours(6), 0.10, sloWindow));
  }

  private static BurnRateAlert of(
      String severity, Duration longWindow, Duration shortWindow, double share, Duration slo) {
    double factor = share * slo.toMillis() / longWindow.toMillis();
    return new BurnRateAlert(severity, longWindow, shortWindow, share, factor);
  }

  /**
   * Whether it fires for these burn rates; never below {@code minEvents} events in the long window
   * (a handful of failed requests at night must not page anyone).
   */
  public boolean fires(
      double longBurn, double shortBurn, double longWindowEvents, double minEvents) {
    return longWindowEvents >= minEvents && longBurn > factor && shortBurn > factor;
  }
}
