package io.tillwatch.alerting.report;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ISO-8601 week ({@code 2026-W48}): Monday to Sunday, the week-based year's week number.
 *
 * @param year the week-based year (the year of the week's Thursday)
 * @param week 1 to 52 or 53
 */
public record IsoWeek(int year, int week) implements Comparable<IsoWeek> {
  private static final Pattern TEXT = Pattern.compile("(\\d{4})-W(\\d{2})");

  public IsoWeek {
    LocalDate probe = LocalDate.of(year, 6, 1);
    long weeks = probe.range(IsoFields.WEEK_OF_WEEK_BASED_YEAR).getMaximum();
    if (week < 1 || week > weeks) {
      throw new IllegalArgumentException(year + " has weeks 1 to " + weeks + ", not " + week);
    }
  }

  /** Parses {@code 2026-W48}; throws naming the expected form. */
  public static IsoWeek parse(String text) {
    Matcher m = TEXT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an ISO week (expected YYYY-Www, e.g. 2026-W48)");
    }
    return new IsoWeek(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** The week a day falls in. */
  public static IsoWeek of(LocalDate day) {
    return new IsoWeek(
        day.get(IsoFields.WEEK_BASED_YEAR), day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
  }

  /** The week {@code at} falls in, in {@code zone}. */
  public static IsoWeek of(Instant at, ZoneId zone) {
    return of(LocalDate.ofInstant(at, zone));
  }

  /** Its Monday. */
  public LocalDate monday() {
    return LocalDate.of(year, 1, 4)
        .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week)
        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
  }

  /** Its Sunday. */
  public LocalDate sunday() {
    return monday().plusDays(6);
  }

  /** Monday 00:00 in {@code zone}. */
  public Instant start(ZoneId zone) {
    return monday().atStartOfDay(zone).toInstant();
  }

  /** The next Monday 00:00 in {@code zone} (the end, exclusive: 167 to 169 hours after start). */
  public Instant end(ZoneId zone) {
    return monday().plusDays(7).atStartOfDay(zone).toInstant();
  }

  /** {@code n} weeks later (negative: earlier). */
  public IsoWeek plus(int n) {
    return of(monday().plusWeeks(n));
  }

  @Override
  public int compareTo(IsoWeek o) {
    return monday().compareTo(o.monday());
  }

  @Override
  public String toString() {
    return String.format("%04d-W%02d", year, week);
  }
}
