package io.tillwatch.slo;

import io.tillwatch.calendar.Interval;
import io.tillwatch.model.Durations;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/**
 * The window an SLO is judged over: rolling (the last N days up to now) or calendar-aligned (this
 * week from Monday, this month from the 1st, this quarter from January, April, July or October),
 * starting at local midnight in the tenant's own time zone, so a window may be an hour shorter or
 * longer across a daylight-saving change.
 */
public sealed interface SloWindow {
  /** The window that holds {@code at}: rolling {@code [at - length, at)}, calendar the period. */
  Interval at(Instant at, ZoneId zone);

  /**
   * The nominal length burn-rate factors are scaled to: the rolling length, or 7, 30 or 90 days for
   * a calendar week, month or quarter.
   */
  Duration nominal();

  /** As written: {@code 28d}, {@code week}, {@code month}, {@code quarter}. */
  String text();

  /** The zone days are counted in for a tenant of {@code tenantZone}. */
  default ZoneId zoneFor(ZoneId tenantZone) {
    return this instanceof Calendar c ? c.zone().orElse(tenantZone) : tenantZone;
  }

  /** The last {@code length} up to the moment of evaluation. */
  record Rolling(Duration length) implements SloWindow {
    public Rolling {
      if (length.isNegative() || length.isZero()) {
        throw new IllegalArgumentException("a rolling window must be longer than 0");
      }
    }

    @Override
    public Interval at(Instant at, ZoneId zone) {
      return new Interval(at.minus(length), at);
    }

    @Override
    public Duration nominal() {
      return length;
    }

    @Override
    public String text() {
      return Durations.format(length);
    }
  }

  /** Calendar periods. */
  enum Period {
    WEEK(7),
    MONTH(30),
    QUARTER(90);

    private final int nominalDays;

    Period(int nominalDays) {
      this.nominalDays = nominalDays;
    }
  }

  /**
   * This week, month or quarter in the tenant's zone, or in {@code zone} when the SLO names one
   * (OpenSLO's {@code calendar.timeZone}).
   */
  record Calendar(Period period, java.util.Optional<ZoneId> zone) implements SloWindow {
    public Calendar(Period period) {
      this(period, java.util.Optional.empty());
    }

    @Override
    public Interval at(Instant at, ZoneId tenantZone) {
      ZoneId zone = this.zone.orElse(tenantZone);
      LocalDate day = LocalDate.ofInstant(at, zone);
      LocalDate first =
          switch (period) {
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
            case QUARTER -> day.withMonth((day.getMonthValue() - 1) / 3 * 3 + 1).withDayOfMonth(1);
          };
      LocalDate next =
          switch (period) {
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
            case QUARTER -> first.plusMonths(3);
          };
      // the start of the local day: midnight, or the first instant after a gap at midnight
      return new Interval(
          first.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
    }

    @Override
    public Duration nominal() {
      return Duration.ofDays(period.nominalDays);
    }

    @Override
    public String text() {
      return period.name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * {@code week}, {@code month}, {@code quarter} or a duration of whole days ({@code 28d}).
   *
   * @throws IllegalArgumentException saying what is expected
   */
  static SloWindow parse(String text) {
    String t = text.trim();
    for (Period p : Period.values()) {
      if (p.name().toLowerCase(Locale.ROOT).equals(t)) {
        return new Calendar(p);
      }
    }
    Duration d;
    try {
      d = Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + t + "' is not a window (expected week, month, quarter or days such as 28d)");
    }
    if (d.toMillis() % Duration.ofDays(1).toMillis() != 0 || d.isZero()) {
      throw new IllegalArgumentException(
          "a rolling window is whole days (such as 7d, 28d or 30d), not '" + t + "'");
    }
    return new Rolling(d);
  }
}
