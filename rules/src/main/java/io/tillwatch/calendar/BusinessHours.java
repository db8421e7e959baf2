package io.tillwatch.calendar;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opening hours such as {@code Mon-Sat 08:00-22:00} or {@code Mon-Fri 08:00-20:00, Sat
 * 09:00-14:00}; {@code always} means every hour. A range whose end is before its start runs past
 * midnight.
 */
public final class BusinessHours {
  private static final Pattern SPAN =
      Pattern.compile(
          "([A-Za-z]{3})(?:-([A-Za-z]{3}))?\\s+([0-9]{2}:[0-9]{2})-([0-9]{2}:[0-9]{2})");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private record Span(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
    boolean contains(DayOfWeek day, LocalTime time) {
      if (!to.isAfter(from)) { // overnight: the part after midnight belongs to the previous day
        return (days.contains(day) && !time.isBefore(from))
            || (days.contains(day.minus(1)) && time.isBefore(to));
      }
      return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
    }
  }

  private final String text;
  private final List<Span> spans;

  private BusinessHours(String text, List<Span> spans) {
    this.text = text;
    this.spans = List.copyOf(spans);
  }

  /** Every hour of every day. */
  public static BusinessHours always() {
    return new BusinessHours(
        "always",
        List.of(new Span(EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT)));
  }

  /**
   * Parses opening hours.
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static BusinessHours parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "business hours are empty (expected e.g. Mon-Sat 08:00-22:00)");
    }
    if (text.trim().equalsIgnoreCase("always")) {
      return always();
    }
    List<Span> spans = new ArrayList<>();
    for (String part : text.split(",")) {
      Matcher m = SPAN.matcher(part.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "cannot read business hours '" + part.trim() + "' (expected e.g. Mon-Sat 08:00-22:00)");
      }
      DayOfWeek first = day(m.group(1));
      DayOfWeek last = m.group(2) == null ? first : day(m.group(2));
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      for (DayOfWeek d = first; ; d = d.plus(1)) {
        days.add(d);
        if (d == last) {
          break;
        }
      }
      spans.add(new Span(days, time(m.group(3)), time(m.group(4))));
    }
    return new BusinessHours(text.trim(), spans);
  }

  /** Whether {@code at}, read in its own zone, is within these hours. */
  public boolean contains(ZonedDateTime at) {
    DayOfWeek day = at.getDayOfWeek();
    LocalTime time = at.toLocalTime();
    for (Span s : spans) {
      if (s.contains(day, time)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stretches of {@code [from, to)} that fall within these hours, read in {@code zone}, in
   * order and merged (a span past midnight or an always-open day joins the next): what a
   * business-hours SLO counts. Daylight-saving changes make a local day 23 or 25 hours long.
   */
  public List<Interval> open(Instant from, Instant to, ZoneId zone) {
    List<Interval> found = new ArrayList<>();
    Interval range = new Interval(from, to);
    LocalDate last = LocalDate.ofInstant(to, zone).plusDays(1);
    for (LocalDate d = LocalDate.ofInstant(from, zone).minusDays(1);
        !d.isAfter(last);
        d = d.plusDays(1)) {
      for (Span s : spans) {
        if (!s.days().contains(d.getDayOfWeek())) {
          continue;
        }
        Instant start = ZonedDateTime.of(d, s.from(), zone).toInstant();
        LocalDate endDay = s.to().isAfter(s.from()) ? d : d.plusDays(1);
        Instant end =
            s.to().equals(LocalTime.MIDNIGHT)
                ? endDay.atStartOfDay(zone).toInstant()
                : ZonedDateTime.of(endDay, s.to(), zone).toInstant();
        Interval piece = new Interval(start, end).intersect(range);
        if (!piece.isEmpty()) {
          found.add(piece);
        }
      }
    }
    found.sort(java.util.Comparator.comparing(Interval::start));
    List<Interval> merged = new ArrayList<>();
    for (Interval i : found) {
      Interval prev = merged.isEmpty() ? null : merged.getLast();
      if (prev != null && !i.start().isAfter(prev.end())) {
        merged.set(
            merged.size() - 1,
            new Interval(prev.start(), i.end().isAfter(prev.end()) ? i.end() : prev.end()));
      } else {
        merged.add(i);
      }
    }
    return merged;
  }

  private static DayOfWeek day(String name) {
    int i = DAYS.indexOf(name.toLowerCase(Locale.ROOT));
    if (i < 0) {
      throw new IllegalArgumentException("unknown day '" + name + "' (expected Mon..Sun)");
    }
    return DayOfWeek.of(i + 1);
  }

  private static LocalTime time(String hhmm) {
    if (hhmm.equals("24:00")) {
      return LocalTime.MIDNIGHT;
    }
    try {
      return LocalTime.parse(hhmm);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("not a time of day: " + hhmm, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BusinessHours other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The text it was parsed from. */
  @Override
  public String toString() {
    return text;
  }
}
