package io.tillwatch.slo;

/** Where an SLO stands in its window, as the weekly report and the status API name it. */
public enum SloState {
  /** Enough budget left (at least the at-risk threshold, 25 % unless configured). */
  HEALTHY("Healthy", "the objective is met with budget to spare"),
  /** Budget left, but less than the threshold: a few more incidents break the promise. */
  AT_RISK("At risk", "budget is running low; further incidents will break the objective"),
  /** No budget left: the objective is missed for this window. */
  EXHAUSTED("Exhausted", "the error budget is used up; the objective is missed for the window"),
  /** No events (or no time slices) in the window: nothing to judge, never 100 %. */
  NO_DATA("No data", "no traffic or no measurements in the window");

  private final String label;
  private final String meaning;

  SloState(String label, String meaning) {
    this.label = label;
    this.meaning = meaning;
  }

  /** As shown to people: {@code Healthy}, {@code At risk}, {@code Exhausted}, {@code No data}. */
  public String label() {
    return label;
  }

  /** One line saying what the state means, for reports. */
  public String meaning() {
    return meaning;
  }

  /** The number a {@code tillwatch_slo_state} series carries: 0 healthy … 3 no data. */
  public int code() {
    return ordinal();
  }
}
