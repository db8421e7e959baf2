package io.tillwatch.collector.events;

import io.tillwatch.collector.config.ReleaseGuardConfig;
import java.util.Locale;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;

/**
 * How the release guard compares a window after a release with a baseline window of the same
 * length. Counts (orders, errors, slow requests) are Poisson: two counts over equal times are
 * compared with the exact conditional test (given their sum, the count after is binomial with
 * probability ½ under "the rate did not change"); shares compare the bad requests after with the
 * bad ones of both windows, weighted by each window's traffic. A change counts only when it is
 * unlikely ({@code p_value}) and large enough to matter ({@code min_drop}, {@code min_share_rise});
 * a window with too little traffic ({@code min_events}) is not judged.
 */
public final class ReleaseTests {
  private ReleaseTests() {}

  /**
   * One comparison of the window after a release with a baseline.
   *
   * @param judged whether there was enough traffic to compare
   * @param worse whether it got worse, beyond chance and by enough to matter
   * @param p the test's p-value (NaN when not tested)
   */
  public record Comparison(boolean judged, boolean worse, double p) {
    static final Comparison NOT_JUDGED = new Comparison(false, false, Double.NaN);
  }

  /** Did the count fall from {@code baseline} to {@code after} (both over the same time)? */
  public static Comparison countDrop(double after, double baseline, ReleaseGuardConfig c) {
    long a = Math.round(after);
    long b = Math.round(baseline);
    if (b < c.minEvents() || a + b > Integer.MAX_VALUE) {
      return Comparison.NOT_JUDGED;
    }
    double p =
        BinomialTest.withDefaults()
            .with(AlternativeHypothesis.LESS_THAN)
            .test((int) (a + b), (int) a, 0.5)
            .getPValue();
    boolean enough = a <= (1 - c.minDrop()) * b;
    return new Comparison(true, enough && p < c.pValue(), p);
  }

  /**
   * Did the share of bad requests rise from {@code badBase / totalBase} to {@code badAfter /
   * totalAfter}?
   */
  public static Comparison shareRise(
      double badAfter, double totalAfter, double badBase, double totalBase, ReleaseGuardConfig c) {
    long ta = Math.round(totalAfter);
    long tb = Math.round(totalBase);
    if (ta < c.minEvents() || tb < c.minEvents()) {
      return Comparison.NOT_JUDGED;
    }
    long ba = Math.min(ta, Math.max(0, Math.round(badAfter)));
    long bb = Math.min(tb, Math.max(0, Math.round(badBase)));
    if (ba + bb > Integer.MAX_VALUE) {
      return Comparison.NOT_JUDGED;
    }
    double shareAfter = (double) ba / ta;
    double shareBase = (double) bb / tb;
    if (ba + bb == 0) {
      return new Comparison(true, false, 1);
    }
    double p =
        BinomialTest.withDefaults()
            .with(AlternativeHypothesis.GREATER_THAN)
            .test((int) (ba + bb), (int) ba, (double) ta / (ta + tb))
            .getPValue();
    boolean enough = shareAfter - shareBase >= c.minShareRise();
    return new Comparison(true, enough && p < c.pValue(), p);
  }

  /**
   * Did a level (the stock-sync backlog, in jobs) grow from {@code baseline} to {@code after}? A
   * queue's length is no count of independent events: it counts when it at least doubled and grew
   * by {@code min_backlog_rise} jobs.
   */
  public static Comparison levelRise(double after, double baseline, ReleaseGuardConfig c) {
    if (Double.isNaN(after) || Double.isNaN(baseline)) {
      return Comparison.NOT_JUDGED;
    }
    boolean worse = after >= 2 * baseline && after - baseline >= c.minBacklogRise();
    return new Comparison(true, worse, Double.NaN);
  }

  /** A p-value as the verdicts print it. */
  static String p(double p) {
    return Double.isNaN(p) ? "" : String.format(Locale.ROOT, "p = %.2g", p);
  }
}
