package io.tillwatch.slo;

import java.time.Duration;
import java.util.Optional;

/**
 * The error-budget arithmetic of one SLO over one window, from summed counts: good and total events
 * (occurrences), or good and all time slices (timeslices). Never an average of ratios.
 *
 * @param objective the target share of good events or slices, strictly between 0 and 1
 * @param good good events or slices in the window
 * @param total all events or slices in the window
 */
public record ErrorBudget(double objective, double good, double total) {
  /** Budget remaining below which an SLO is at risk, unless configured otherwise. */
  public static final double DEFAULT_AT_RISK_BELOW = 0.25;

  public ErrorBudget {
    if (!(objective > 0 && objective < 1)) {
      throw new IllegalArgumentException(
          "an objective is a share strictly between 0 and 1 (0 and 100 %), not " + objective);
    }
    if (!(good >= 0) || !(total >= 0)) {
      throw new IllegalArgumentException("event counts are never negative or NaN");
    }
  }

  /** Whether there is anything to judge: at least one event or slice. */
  public boolean hasData() {
    return total > 0;
  }

  /** The share of good events or slices; empty without data (never 100 %, never NaN). */
  public Optional<Double> attained() {
    return hasData() ? Optional.of(Math.min(good, total) / total) : Optional.empty();
  }

  /** The share of events the objective allows to be bad: {@code 1 - objective}. */
  public double allowedErrorRate() {
    return 1 - objective;
  }

  /**
   * The burn rate: the observed error rate over the allowed one (1 spends the budget exactly over
   * the window; 14.4 spends a 30-day budget in about 2 days); empty without data.
   */
  public Optional<Double> burnRate() {
    return attained().map(a -> (1 - a) / allowedErrorRate());
  }

  /**
   * The share of the window's error budget left: 1 untouched, 0 spent, below 0 overspent (it is not
   * clamped: a report shows by how much); empty without data.
   */
  public Optional<Double> remaining() {
    return burnRate().map(b -> 1 - b);
  }

  /** Healthy, at risk (below {@code atRiskBelow} remaining), exhausted (≤ 0), or no data. */
  public SloState state(double atRiskBelow) {
    Optional<Double> r = remaining();
    if (r.isEmpty()) {
      return SloState.NO_DATA;
    }
    if (r.get() <= 0) {
      return SloState.EXHAUSTED;
    }
    return r.get() < atRiskBelow ? SloState.AT_RISK : SloState.HEALTHY;
  }

  public SloState state() {
    return state(DEFAULT_AT_RISK_BELOW);
  }

  /**
   * How long until the budget of a window of {@code window} (its nominal length) is spent if the
   * current {@code burnRate} holds: zero when it is spent already, empty when nothing burns (or
   * there is no data).
   */
  public Optional<Duration> timeToExhaustion(double burnRate, Duration window) {
    Optional<Double> r = remaining();
    if (r.isEmpty()) {
      return Optional.empty();
    }
    if (r.get() <= 0) {
      return Optional.of(Duration.ZERO);
    }
    if (!(burnRate > 0) || Double.isInfinite(burnRate)) {
      return Double.isInfinite(burnRate) ? Optional.of(Duration.ZERO) : Optional.empty();
    }
    // at burn rate 1 the whole budget lasts the whole window
    double seconds = r.get() * window.toSeconds() / burnRate;
    return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
  }
}
