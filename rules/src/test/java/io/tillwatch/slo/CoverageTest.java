package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.calendar.Interval;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoverageTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final BusinessHours SHOP = BusinessHours.parse("Mon-Sat 08:00-22:00");

  /** The week of 23–29 March 2026 in Berlin (DST starts on Sunday the 29th). */
  private static final Interval WEEK =
      new Interval(Instant.parse("2026-03-22T23:00:00Z"), Instant.parse("2026-03-29T22:00:00Z"));

  @Test
  void businessHoursCountSixShopDaysOfFourteenHours() {
    List<Interval> open = Coverage.counted(WEEK, true, SHOP, BERLIN, "acme", List.of());
    assertThat(open).hasSize(6);
    assertThat(open.getFirst())
        .isEqualTo(
            new Interval(
                Instant.parse("2026-03-23T07:00:00Z"), Instant.parse("2026-03-23T21:00:00Z")));
    assertThat(Interval.total(open)).isEqualTo(Duration.ofHours(6 * 14));
  }

  @Test
  void exclusionsComeOutForTheirTenantsOnly() {
    Exclusion upgrade =
        new Exclusion(
            Set.of("acme"),
            new Interval(
                Instant.parse("2026-03-24T20:00:00Z"), Instant.parse("2026-03-25T08:00:00Z")),
            "planned PostgreSQL upgrade");
    // Tuesday 21:00–22:00 local and Wednesday 08:00–09:00 local are taken out: 2 hours
    List<Interval> acme = Coverage.counted(WEEK, true, SHOP, BERLIN, "acme", List.of(upgrade));
    assertThat(Interval.total(acme)).isEqualTo(Duration.ofHours(6 * 14 - 2));
    List<Interval> globex = Coverage.counted(WEEK, true, SHOP, BERLIN, "globex", List.of(upgrade));
    assertThat(Interval.total(globex)).isEqualTo(Duration.ofHours(6 * 14));
    // always-on SLOs lose the whole 12 hours
    assertThat(
            Interval.total(Coverage.counted(WEEK, false, SHOP, BERLIN, "acme", List.of(upgrade))))
        .isEqualTo(WEEK.length().minusHours(12));
  }

  @Test
  void spansPastMidnightAndAlwaysOpenDaysJoinUp() {
    BusinessHours late = BusinessHours.parse("Fri-Sat 18:00-02:00");
    List<Interval> open = late.open(WEEK.start(), WEEK.end(), BERLIN);
    assertThat(open).hasSize(2);
    assertThat(Interval.total(open)).isEqualTo(Duration.ofHours(16));
    // Saturday night runs into Sunday 29 March, the day the clocks go forward at 02:00
    assertThat(open.getLast().end()).isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
    List<Interval> always = BusinessHours.always().open(WEEK.start(), WEEK.end(), BERLIN);
    assertThat(always).containsExactly(WEEK);
  }
}
