package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BurnRateAlertTest {
  @Test
  void theWorkbookFactorsForThirtyDays() {
    List<BurnRateAlert> a = BurnRateAlert.forWindow(Duration.ofDays(30));
    assertThat(a)
        .extracting(BurnRateAlert::severity)
        .containsExactly("page", "page", "ticket", "ticket");
    assertThat(a.get(0).factor()).isCloseTo(14.4, within(1e-12));
    assertThat(a.get(1).factor()).isCloseTo(6, within(1e-12));
    assertThat(a.get(2).factor()).isCloseTo(3, within(1e-12));
    assertThat(a.get(3).factor()).isCloseTo(1, within(1e-12));
    assertThat(a.get(0).shortWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(a.get(3).longWindow()).isEqualTo(Duration.ofDays(3));
  }

  @Test
  void scaledToTwentyEightDays() {
    List<BurnRateAlert> a = BurnRateAlert.forWindow(Duration.ofDays(28));
    assertThat(a.get(0).factor()).isCloseTo(13.44, within(1e-12));
    assertThat(a.get(1).factor()).isCloseTo(5.6, within(1e-12));
    assertThat(a.get(2).factor()).isCloseTo(2.8, within(1e-12));
    assertThat(a.get(3).factor()).isCloseTo(0.9333333333, within(1e-9));
  }

  @Test
  void bothWindowsAboveTheFactorAndEnoughEventsToPage() {
    BurnRateAlert page = BurnRateAlert.forWindow(Duration.ofDays(30)).get(0);
    assertThat(page.fires(20, 20, 5_000, 100)).isTrue();
    assertThat(page.fires(20, 2, 5_000, 100)).as("the short window has recovered").isFalse();
    assertThat(page.fires(2, 20, 5_000, 100)).as("a blip, not a burn").isFalse();
    assertThat(page.fires(20, 20, 40, 100)).as("too few events at night").isFalse();
  }
}
