package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.calendar.Interval;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DailyCountsTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId AUCKLAND = ZoneId.of("Pacific/Auckland");
  private static final BusinessHours SHOP = BusinessHours.parse("Mon-Sat 08:00-22:00");

  /** Every five minutes of {@code [from, to)}: {@code perSlice} events, {@code bad} of them bad. */
  private static DailyCounts feed(
      DailyCounts c, Instant from, Instant to, double perSlice, double bad) {
    for (Instant t = from; t.isBefore(to); t = t.plus(Duration.ofMinutes(5))) {
      c.add(t, t.plus(Duration.ofMinutes(5)), perSlice - bad, perSlice);
    }
    return c;
  }

  @Test
  void aDayOfTwentyThreeHoursCountsTwentyThreeHoursOfSlices() {
    // Sunday 29 March 2026: Berlin's clocks go forward, the local day has 23 hours
    Instant from = Instant.parse("2026-03-28T23:00:00Z");
    Instant to = Instant.parse("2026-03-29T22:00:00Z");
    DailyCounts c = feed(new DailyCounts(BERLIN, List.of(new Interval(from, to))), from, to, 10, 0);
    Map<LocalDate, DailyCounts.Count> days = c.days();
    assertThat(days).containsOnlyKeys(LocalDate.parse("2026-03-29"));
    assertThat(days.get(LocalDate.parse("2026-03-29")).total()).isEqualTo(23 * 12 * 10);
  }

  @Test
  void slicesOutsideBusinessHoursAndInsideExclusionsCountNothing() {
    // Monday 23 March 2026 in Berlin (UTC+1): open 07:00–21:00 UTC
    Interval day =
        new Interval(Instant.parse("2026-03-22T23:00:00Z"), Instant.parse("2026-03-23T23:00:00Z"));
    Exclusion upgrade =
        new Exclusion(
            Set.of("acme"),
            new Interval(
                Instant.parse("2026-03-23T20:00:00Z"), Instant.parse("2026-03-23T20:30:00Z")),
            "planned PostgreSQL upgrade");
    List<Interval> counted = Coverage.counted(day, true, SHOP, BERLIN, "acme", List.of(upgrade));
    DailyCounts c = new DailyCounts(BERLIN, counted);
    // an outage at night (all bad) counts nothing; one in the upgrade counts nothing either
    feed(c, day.start(), Instant.parse("2026-03-23T07:00:00Z"), 10, 10);
    feed(c, Instant.parse("2026-03-23T07:00:00Z"), Instant.parse("2026-03-23T20:00:00Z"), 10, 1);
    feed(c, Instant.parse("2026-03-23T20:00:00Z"), Instant.parse("2026-03-23T20:30:00Z"), 10, 10);
    feed(c, Instant.parse("2026-03-23T20:30:00Z"), day.end(), 10, 0);
    DailyCounts.Count n = c.days().get(LocalDate.parse("2026-03-23"));
    // 13 h at 10% bad, then 30 min good until closing at 21:00 UTC
    assertThat(n.total()).isCloseTo(13 * 12 * 10 + 6 * 10, within(1e-9));
    assertThat(n.good()).isCloseTo(13 * 12 * 9 + 6 * 10, within(1e-9));
  }

  @Test
  void aSliceAcrossLocalMidnightIsSplitBetweenItsDays() {
    // Auckland is UTC+13 in December: local midnight is 11:00 UTC; a slice 10:58–11:03
    DailyCounts c = new DailyCounts(AUCKLAND, List.of(new Interval(Instant.EPOCH, Instant.MAX)));
    c.add(Instant.parse("2026-12-01T10:58:00Z"), Instant.parse("2026-12-01T11:03:00Z"), 5, 10);
    assertThat(c.days().get(LocalDate.parse("2026-12-01")).total()).isCloseTo(4, within(1e-9));
    assertThat(c.days().get(LocalDate.parse("2026-12-02")).total()).isCloseTo(6, within(1e-9));
    assertThat(c.days().get(LocalDate.parse("2026-12-02")).good()).isCloseTo(3, within(1e-9));
  }

  @Test
  void gapsAndZeroTrafficLeaveNoDayAndNoData() {
    DailyCounts c = new DailyCounts(BERLIN, List.of(new Interval(Instant.EPOCH, Instant.MAX)));
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    c.add(t, t.plusSeconds(300), Double.NaN, Double.NaN);
    c.add(t, t.plusSeconds(300), 0, 0);
    assertThat(c.days()).isEmpty();
    DailyCounts.Count sum = DailyCounts.sum(c.days(), List.of(LocalDate.parse("2026-12-01")));
    assertThat(sum.budget(0.995).state()).isEqualTo(SloState.NO_DATA);
  }

  @Test
  void monthWindowsSumTheirLocalDaysAcrossDaylightSaving() {
    // 31 March 2026, Auckland: April's DST end is after; a month window on 31 March holds 31 days
    Instant at = Instant.parse("2026-03-31T10:00:00Z");
    List<LocalDate> march =
        DailyCounts.windowDays(new SloWindow.Calendar(SloWindow.Period.MONTH), at, AUCKLAND);
    assertThat(march).hasSize(31).startsWith(LocalDate.parse("2026-03-01"));
    // at 11:30 UTC it is already 1 April in Auckland: a new month of one day
    List<LocalDate> april =
        DailyCounts.windowDays(
            new SloWindow.Calendar(SloWindow.Period.MONTH), at.plusSeconds(5400), AUCKLAND);
    assertThat(april).containsExactly(LocalDate.parse("2026-04-01"));
    List<LocalDate> rolling =
        DailyCounts.windowDays(new SloWindow.Rolling(Duration.ofDays(28)), at, BERLIN);
    assertThat(rolling).hasSize(28).endsWith(LocalDate.parse("2026-03-31"));
    // the budget of a month is the sum of its days' counts, not an average of daily ratios
    Map<LocalDate, DailyCounts.Count> rollups =
        Map.of(
            LocalDate.parse("2026-03-02"), new DailyCounts.Count(990, 1000),
            LocalDate.parse("2026-03-03"), new DailyCounts.Count(10, 10));
    ErrorBudget b = DailyCounts.sum(rollups, march).budget(0.99);
    assertThat(b.attained()).contains(1000.0 / 1010);
  }
}
