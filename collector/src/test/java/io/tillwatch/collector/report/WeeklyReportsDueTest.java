package io.tillwatch.collector.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.alerting.report.IsoWeek;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WeeklyReportsDueTest {
  private static final LocalTime EIGHT = LocalTime.of(8, 0);

  /**
   * Each zone's week with a daylight-saving change: its report is due at Monday 08:00 local, in the
   * UTC offset of that Monday.
   */
  @ParameterizedTest
  @CsvSource({
    // Berlin leaves summer time on Sunday 25 October: Monday 08:00 CET is 07:00 UTC
    "Europe/Berlin, 2026-W43, 2026-10-26T07:00:00Z, 169",
    // New York leaves summer time on Sunday 1 November: Monday 08:00 EST is 13:00 UTC
    "America/New_York, 2026-W44, 2026-11-02T13:00:00Z, 169",
    // Auckland enters summer time on Sunday 27 September: Monday 08:00 NZDT is 19:00 UTC Sunday
    "Pacific/Auckland, 2026-W39, 2026-09-27T19:00:00Z, 167",
  })
  void dueAtTheTenantsOwnMondayEightInItsDaylightSavingWeek(
      String zoneId, String week, String dueAt, int hours) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant due = Instant.parse(dueAt);
    IsoWeek w = IsoWeek.parse(week);
    assertThat(Duration.between(w.start(zone), w.end(zone)).toHours()).isEqualTo(hours);

    WeeklyReports.Due before =
        WeeklyReports.due(due.minusSeconds(1), zone, DayOfWeek.MONDAY, EIGHT);
    assertThat(before.week()).isEqualTo(w.plus(-1));
    // the week before's report went at this week's own Monday 08:00
    assertThat(before.at()).isEqualTo(w.start(zone).plus(Duration.ofHours(8)));

    WeeklyReports.Due at = WeeklyReports.due(due, zone, DayOfWeek.MONDAY, EIGHT);
    assertThat(at.week()).isEqualTo(w);
    assertThat(at.at()).isEqualTo(due);
    // due until next Monday 08:00
    assertThat(
            WeeklyReports.due(due.plus(Duration.ofDays(6)), zone, DayOfWeek.MONDAY, EIGHT).week())
        .isEqualTo(w);
  }

  @Test
  void anotherDayAndTimeAndTheTurnOfTheYear() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // Tuesday 09:30: on Monday 4 January 2027 the report due is still 2026-W52's (sent 29 Dec)
    WeeklyReports.Due d =
        WeeklyReports.due(
            Instant.parse("2027-01-04T12:00:00Z"), berlin, DayOfWeek.TUESDAY, LocalTime.of(9, 30));
    assertThat(d.week()).isEqualTo(IsoWeek.parse("2026-W52"));
    assertThat(d.at()).isEqualTo(Instant.parse("2026-12-29T08:30:00Z"));
    // 2026 has 53 ISO weeks: Monday 4 January 2027 08:00 sends 2026-W53
    assertThat(
            WeeklyReports.due(
                    Instant.parse("2027-01-04T07:00:00Z"), berlin, DayOfWeek.MONDAY, EIGHT)
                .week())
        .isEqualTo(IsoWeek.parse("2026-W53"));
  }

  @Test
  void failedSendsBackOffFromAMinuteDoublingToAnHour() {
    Instant now = Instant.parse("2026-11-30T07:00:00Z");
    assertThat(WeeklyReports.nextAttempt(now, 0)).isEqualTo(now.plusSeconds(60));
    assertThat(WeeklyReports.nextAttempt(now, 1)).isEqualTo(now.plusSeconds(120));
    assertThat(WeeklyReports.nextAttempt(now, 5)).isEqualTo(now.plusSeconds(32 * 60));
    assertThat(WeeklyReports.nextAttempt(now, 6)).isEqualTo(now.plusSeconds(3600));
    assertThat(WeeklyReports.nextAttempt(now, 40)).isEqualTo(now.plusSeconds(3600));
  }
}
