package io.tillwatch.collector.config;

import io.tillwatch.alerting.report.ReportBrand;
import io.tillwatch.alerting.report.SmtpConfig;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code reports:} section: the weekly SLO report, when configured.
 *
 * @param weekly the weekly report's schedule, SMTP and recipients; empty: no reports are sent
 */
public record ReportsConfig(Optional<Weekly> weekly) {
  /** No reports. */
  public static final ReportsConfig NONE = new ReportsConfig(Optional.empty());

  /**
   * The weekly report.
   *
   * @param day and {@code time}: when it is sent, in each tenant's own zone ({@code Mon 08:00})
   * @param recipients addresses per tenant id, and {@code estate} for the estate's summary
   * @param estateZone the zone the estate's summary is sent in
   */
  public record Weekly(
      DayOfWeek day,
      LocalTime time,
      SmtpConfig smtp,
      Map<String, List<String>> recipients,
      ReportBrand brand,
      ZoneId estateZone) {
    public Weekly {
      Objects.requireNonNull(day, "day");
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(smtp, "smtp");
      Map<String, List<String>> copy = new LinkedHashMap<>();
      recipients.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      recipients = java.util.Collections.unmodifiableMap(copy);
    }

    /** Parses {@code Mon 08:00} into a day and a time; throws naming the expected form. */
    public static Map.Entry<DayOfWeek, LocalTime> parseSendAt(String text) {
      String[] parts = text.trim().split("\\s+");
      if (parts.length == 2) {
        for (DayOfWeek d : DayOfWeek.values()) {
          String name = d.name().toLowerCase(Locale.ROOT);
          String p = parts[0].toLowerCase(Locale.ROOT);
          if (p.length() >= 3 && name.startsWith(p)) {
            try {
              return Map.entry(d, LocalTime.parse(parts[1]));
            } catch (java.time.format.DateTimeParseException e) {
              break;
            }
          }
        }
      }
      throw new IllegalArgumentException(
          "'" + text + "' is not a day and time (expected e.g. Mon 08:00)");
    }
  }
}
