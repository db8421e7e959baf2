package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.calendar.Interval;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SloWindowTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId AUCKLAND = ZoneId.of("Pacific/Auckland");

  @Test
  void aCalendarMonthStartsAtLocalMidnightAndSpansTheDaylightSavingChange() {
    // 29 March 2026: Berlin moves from +01:00 to +02:00
    Interval march = SloWindow.parse("month").at(Instant.parse("2026-03-15T12:00:00Z"), BERLIN);
    assertThat(march.start()).isEqualTo(Instant.parse("2026-02-28T23:00:00Z"));
    assertThat(march.end()).isEqualTo(Instant.parse("2026-03-31T22:00:00Z"));
    assertThat(march.length()).isEqualTo(Duration.ofDays(31).minusHours(1));
    // the last instant of March in Berlin is still March; the next one is April
    assertThat(SloWindow.parse("month").at(Instant.parse("2026-03-31T21:59:59Z"), BERLIN))
        .isEqualTo(march);
    assertThat(SloWindow.parse("month").at(Instant.parse("2026-03-31T22:00:00Z"), BERLIN).start())
        .isEqualTo(march.end());
  }

  @Test
  void inAucklandAprilIsAnHourLongerAndTheMonthBeginsTheDayBeforeInUtc() {
    // 5 April 2026: Auckland moves from +13:00 to +12:00
    Interval april = SloWindow.parse("month").at(Instant.parse("2026-04-10T00:00:00Z"), AUCKLAND);
    assertThat(april.start()).isEqualTo(Instant.parse("2026-03-31T11:00:00Z"));
    assertThat(april.end()).isEqualTo(Instant.parse("2026-04-30T12:00:00Z"));
    assertThat(april.length()).isEqualTo(Duration.ofDays(30).plusHours(1));
  }

  @Test
  void weeksStartOnMondayAndQuartersOnTheFirstMonthOfTheQuarter() {
    // Sunday 29 March 2026, 12:00 in Berlin: the week began Monday 23 March, 00:00 +01:00
    Interval week = SloWindow.parse("week").at(Instant.parse("2026-03-29T10:00:00Z"), BERLIN);
    assertThat(week.start()).isEqualTo(Instant.parse("2026-03-22T23:00:00Z"));
    assertThat(week.end()).isEqualTo(Instant.parse("2026-03-29T22:00:00Z"));
    assertThat(week.length()).isEqualTo(Duration.ofDays(7).minusHours(1));
    Interval q = SloWindow.parse("quarter").at(Instant.parse("2026-08-20T00:00:00Z"), BERLIN);
    assertThat(q.start()).isEqualTo(Instant.parse("2026-06-30T22:00:00Z"));
    assertThat(q.end()).isEqualTo(Instant.parse("2026-09-30T22:00:00Z"));
  }

  @Test
  void rollingWindowsEndNowAndNominalLengthsScaleBurnRates() {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    assertThat(SloWindow.parse("28d").at(now, BERLIN))
        .isEqualTo(new Interval(now.minus(Duration.ofDays(28)), now));
    assertThat(SloWindow.parse("28d").nominal()).isEqualTo(Duration.ofDays(28));
    assertThat(SloWindow.parse("month").nominal()).isEqualTo(Duration.ofDays(30));
    assertThat(SloWindow.parse("week").text()).isEqualTo("week");
    assertThat(SloWindow.parse("30d").text()).isEqualTo("30d");
  }

  @Test
  void somethingElseIsRefusedWithWhatIsExpected() {
    assertThatThrownBy(() -> SloWindow.parse("fortnight"))
        .hasMessageContaining("expected week, month, quarter or days such as 28d");
    assertThatThrownBy(() -> SloWindow.parse("36h")).hasMessageContaining("whole days");
  }
}
