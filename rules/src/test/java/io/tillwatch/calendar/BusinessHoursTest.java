package io.tillwatch.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class BusinessHoursTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static ZonedDateTime at(int day, int hour, int minute) {
    // 2026-11-23 is a Monday
    return ZonedDateTime.of(2026, 11, 23 + day, hour, minute, 0, 0, BERLIN);
  }

  @Test
  void monToSat() {
    BusinessHours h = BusinessHours.parse("Mon-Sat 08:00-22:00");
    assertThat(h.contains(at(0, 8, 0))).isTrue();
    assertThat(h.contains(at(0, 7, 59))).isFalse();
    assertThat(h.contains(at(0, 22, 0))).isFalse();
    assertThat(h.contains(at(5, 21, 59))).isTrue();
    assertThat(h.contains(at(6, 12, 0))).as("Sunday").isFalse();
  }

  @Test
  void severalSpansAndOvernight() {
    BusinessHours h = BusinessHours.parse("Mon-Fri 08:00-20:00, Sat 20:00-02:00");
    assertThat(h.contains(at(5, 23, 0))).isTrue();
    assertThat(h.contains(at(6, 1, 30))).as("Sunday 01:30 belongs to Saturday night").isTrue();
    assertThat(h.contains(at(6, 2, 0))).isFalse();
    assertThat(h.contains(at(4, 19, 0))).isTrue();
  }

  @Test
  void alwaysAndErrors() {
    assertThat(BusinessHours.parse("always").contains(at(6, 3, 0))).isTrue();
    assertThatThrownBy(() -> BusinessHours.parse("Mon-Sun 8-22"))
        .hasMessageContaining("Mon-Sun 8-22");
    assertThatThrownBy(() -> BusinessHours.parse("Mon-Fry 08:00-22:00"))
        .hasMessageContaining("Fry");
    assertThatThrownBy(() -> BusinessHours.parse("Mon 08:00-25:00")).hasMessageContaining("25:00");
  }
}
