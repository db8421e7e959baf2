package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorBudgetTest {
  @Test
  void budgetsComeFromSummedCounts() {
    // 99.5 %: 0.5 % of 200,000 requests may fail = 1,000; 400 failed → 40 % spent
    ErrorBudget b = new ErrorBudget(0.995, 199_600, 200_000);
    assertThat(b.attained()).hasValueSatisfying(a -> assertThat(a).isCloseTo(0.998, within(1e-12)));
    assertThat(b.burnRate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(0.4, within(1e-9)));
    assertThat(b.remaining()).hasValueSatisfying(r -> assertThat(r).isCloseTo(0.6, within(1e-9)));
    assertThat(b.state()).isEqualTo(SloState.HEALTHY);
  }

  @Test
  void zeroTrafficIsNoDataNeverAHundredPercentOrNaN() {
    ErrorBudget none = new ErrorBudget(0.999, 0, 0);
    assertThat(none.attained()).isEmpty();
    assertThat(none.remaining()).isEmpty();
    assertThat(none.state()).isEqualTo(SloState.NO_DATA);
    assertThat(none.timeToExhaustion(5, Duration.ofDays(28))).isEmpty();
  }

  @Test
  void anOverspentBudgetGoesNegativeAndIsExhausted() {
    // 99 %: 1 % of 10,000 may fail = 100; 250 failed → 2.5 budgets spent, −150 % left
    ErrorBudget b = new ErrorBudget(0.99, 9_750, 10_000);
    assertThat(b.remaining()).hasValueSatisfying(r -> assertThat(r).isCloseTo(-1.5, within(1e-9)));
    assertThat(b.state()).isEqualTo(SloState.EXHAUSTED);
    assertThat(b.timeToExhaustion(3, Duration.ofDays(28))).hasValue(Duration.ZERO);
    assertThat(new ErrorBudget(0.99, 9_900, 10_000).state()).isEqualTo(SloState.EXHAUSTED);
  }

  @Test
  void atRiskBelowTheThreshold() {
    ErrorBudget b = new ErrorBudget(0.99, 9_920, 10_000); // 80 % spent, 20 % left
    assertThat(b.state()).isEqualTo(SloState.AT_RISK);
    assertThat(b.state(0.1)).isEqualTo(SloState.HEALTHY);
    assertThat(SloState.AT_RISK.label()).isEqualTo("At risk");
    assertThat(SloState.NO_DATA.code()).isEqualTo(3);
  }

  @Test
  void timeToExhaustionAtTheCurrentBurn() {
    // 60 % of a 28-day budget left; at burn rate 1 it lasts 0.6 × 28 days; at 14.4, 1/14.4 of it
    ErrorBudget b = new ErrorBudget(0.995, 199_600, 200_000);
    assertThat(b.timeToExhaustion(1, Duration.ofDays(28)).orElseThrow().toMinutes())
        .isEqualTo(Math.round(0.6 * 28 * 24 * 60));
    assertThat(b.timeToExhaustion(14.4, Duration.ofDays(28)).orElseThrow().toMinutes())
        .isEqualTo((long) (0.6 * 28 * 24 * 60 / 14.4));
    assertThat(b.timeToExhaustion(0, Duration.ofDays(28))).isEmpty();
  }

  @Test
  void timeslicesUseTheSameArithmetic() {
    // 28 days of 1-minute slices, 99.9 %: 40.32 bad slices allowed; 20 bad → about half left
    double slices = 28 * 24 * 60;
    ErrorBudget b = new ErrorBudget(0.999, slices - 20, slices);
    assertThat(b.remaining())
        .hasValueSatisfying(r -> assertThat(r).isCloseTo(1 - 20 / 40.32, within(1e-9)));
  }

  @Test
  void objectivesOutsideZeroAndOneAreRefused() {
    assertThatThrownBy(() -> new ErrorBudget(1.0, 1, 1)).hasMessageContaining("strictly between");
    assertThatThrownBy(() -> new ErrorBudget(99.5, 1, 1)).hasMessageContaining("strictly between");
    assertThatThrownBy(() -> new ErrorBudget(0.9, -1, 1)).hasMessageContaining("never negative");
  }
}
