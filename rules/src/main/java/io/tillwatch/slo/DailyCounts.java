package io.tillwatch.slo;

import io.tillwatch.calendar.Interval;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Good and total counts of one tenant × SLO per local day of the tenant, built from slices (five
 * minutes of events, or one time slice): only the share of a slice inside the counted time (the
 * tenant's business hours, outside exclusions) counts, and a slice that crosses local midnight is
 * split between its days in proportion.
 */
public final class DailyCounts {
  /** The counts of one day. */
  public record Count(double good, double total) {
    public Count plus(Count o) {
      return new Count(good + o.good, total + o.total);
    }

    /** The error budget these counts leave under {@code objective}. */
    public ErrorBudget budget(double objective) {
      return new ErrorBudget(objective, Math.min(good, total), total);
    }
  }

  private final ZoneId zone;
  private final List<Interval> counted;
  private final Map<LocalDate, double[]> days = new TreeMap<>();

  /**
   * @param counted the time that counts (any order, not overlapping), as {@link Coverage#counted}
   *     gives it
   */
  public DailyCounts(ZoneId zone, List<Interval> counted) {
    this.zone = zone;
    List<Interval> sorted = new ArrayList<>(counted);
    sorted.sort(Comparator.comparing(Interval::start));
    this.counted = sorted;
  }

  /**
   * Adds the slice {@code [start, end)} with {@code good} of {@code total} events (a time slice: 1
   * or 0 of 1). Negative or NaN counts (a gap, a reset) add nothing.
   */
  public void add(Instant start, Instant end, double good, double total) {
    if (!(total > 0) || !(good >= 0) || !end.isAfter(start)) {
      return;
    }
    double length = end.toEpochMilli() - start.toEpochMilli();
    Instant from = start;
    while (from.isBefore(end)) {
      LocalDate day = LocalDate.ofInstant(from, zone);
      Instant next = day.plusDays(1).atStartOfDay(zone).toInstant();
      Instant to = next.isBefore(end) ? next : end;
      double share = countedMillis(from, to) / length;
      if (share > 0) {
        double[] c = days.computeIfAbsent(day, d -> new double[2]);
        c[0] += Math.min(good, total) * share;
        c[1] += total * share;
      }
      from = to;
    }
  }

  /** The counted milliseconds of {@code [from, to)}. */
  private double countedMillis(Instant from, Instant to) {
    // the first counted interval that ends after from
    int lo = 0;
    int hi = counted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (counted.get(mid).end().isAfter(from)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    Interval slice = new Interval(from, to);
    double ms = 0;
    for (int i = lo; i < counted.size() && counted.get(i).start().isBefore(to); i++) {
      ms += slice.intersect(counted.get(i)).length().toMillis();
    }
    return ms;
  }

  /** The days with anything counted, in order. */
  public Map<LocalDate, Count> days() {
    Map<LocalDate, Count> out = new TreeMap<>();
    days.forEach((d, c) -> out.put(d, new Count(c[0], c[1])));
    return Collections.unmodifiableMap(out);
  }

  /**
   * The local days of {@code window} for rollups: a calendar window's days from its first to the
   * one holding {@code at}; a rolling window of N days, the day of {@code at} and the N-1 before.
   */
  public static List<LocalDate> windowDays(SloWindow window, Instant at, ZoneId zone) {
    LocalDate today = LocalDate.ofInstant(at, zone);
    LocalDate first =
        switch (window) {
          case SloWindow.Rolling r -> today.minusDays(r.length().toDays() - 1);
          case SloWindow.Calendar c -> LocalDate.ofInstant(c.at(at, zone).start(), zone);
        };
    return first.datesUntil(today.plusDays(1)).toList();
  }

  /** The sum of {@code days}' counts that {@code rollups} holds. */
  public static Count sum(Map<LocalDate, Count> rollups, List<LocalDate> days) {
    Count c = new Count(0, 0);
    for (LocalDate d : days) {
      Count x = rollups.get(d);
      if (x != null) {
        c = c.plus(x);
      }
    }
    return c;
  }
}
