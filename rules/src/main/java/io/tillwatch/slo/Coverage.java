package io.tillwatch.slo;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.calendar.Interval;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a window an SLO counts for one tenant: all of it, or only the tenant's business
 * hours in its zone, less every exclusion that applies to the tenant.
 */
public final class Coverage {
  private Coverage() {}

  /** The counted stretches of {@code window}, in order. */
  public static List<Interval> counted(
      Interval window,
      boolean businessHoursOnly,
      BusinessHours hours,
      ZoneId zone,
      String tenant,
      List<Exclusion> exclusions) {
    List<Interval> base =
        businessHoursOnly ? hours.open(window.start(), window.end(), zone) : List.of(window);
    List<Interval> holes = new ArrayList<>();
    for (Exclusion e : exclusions) {
      if (e.appliesTo(tenant)) {
        holes.add(e.period());
      }
    }
    List<Interval> out = new ArrayList<>();
    for (Interval i : base) {
      out.addAll(i.minus(holes));
    }
    return out;
  }
}
