package io.tillwatch.alerting.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * How figures read in a report: shares as percentages, durations in days and hours, local times.
 */
final class ReportFormat {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("EEE d MMM HH:mm", Locale.ENGLISH);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);
  static final String NONE = "—";

  private ReportFormat() {}

  /** A share as a percentage with up to {@code decimals} digits: {@code 99.87%}. */
  static String percent(double share, int decimals) {
    String s = String.format(Locale.ROOT, "%." + decimals + "f", share * 100);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s + "%";
  }

  /** An attained share: two decimals, so 99.95% and 99.9% differ; "no data" when empty. */
  static String attained(Optional<Double> share) {
    return share.map(a -> percent(a, 2)).orElse("no data");
  }

  /** Budget left in whole percent (below 0 when overspent). */
  static String budget(Optional<Double> share) {
    return share.map(b -> percent(b, 0)).orElse(NONE);
  }

  /** A change of budget in percentage points: {@code +5 pts}, {@code −12 pts}. */
  static String change(Optional<Double> delta) {
    return delta
        .map(
            d -> {
              long pts = Math.round(d * 100);
              return pts == 0 ? "±0 pts" : (pts > 0 ? "+" : "−") + Math.abs(pts) + " pts";
            })
        .orElse(NONE);
  }

  /** A burn rate: {@code 3.2×}. */
  static String burn(Optional<Double> rate) {
    return rate.map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse(NONE);
  }

  /** A duration in its two largest units: {@code 4 d 3 h}, {@code 1 h 20 min}, {@code 12 min}. */
  static String duration(Duration d) {
    long minutes = Math.max(0, d.toMinutes());
    long days = minutes / 1440;
    long hours = minutes % 1440 / 60;
    long mins = minutes % 60;
    if (days > 0) {
      return days + " d" + (hours > 0 ? " " + hours + " h" : "");
    }
    if (hours > 0) {
      return hours + " h" + (mins > 0 ? " " + mins + " min" : "");
    }
    return mins == 0 && !d.isZero() ? "< 1 min" : mins + " min";
  }

  /** A time in the report's zone: {@code Tue 24 Nov 14:05}. */
  static String when(Instant t, ZoneId zone) {
    return WHEN.format(t.atZone(zone));
  }

  /** A day: {@code Tue 24 Nov}. */
  static String day(java.time.LocalDate d) {
    return DAY.format(d);
  }

  /** A count without decimals when whole. */
  static String count(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
