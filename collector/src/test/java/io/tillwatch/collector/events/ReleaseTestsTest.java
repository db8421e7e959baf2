package io.tillwatch.collector.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tillwatch.collector.config.ReleaseGuardConfig;
import org.junit.jupiter.api.Test;

/**
 * The guard's tests against exact binomial tail sums worked out apart (Python's {@code math.comb}):
 * {@code sum(comb(n, i) / 2**n for i in range(k + 1))} and the like.
 */
class ReleaseTestsTest {
  private static final ReleaseGuardConfig C = ReleaseGuardConfig.DEFAULT;

  @Test
  void ordersHalvedAreADropAndAFewLessAreChance() {
    ReleaseTests.Comparison halved = ReleaseTests.countDrop(60, 120, C);
    assertThat(halved.judged()).isTrue();
    assertThat(halved.worse()).isTrue();
    assertThat(halved.p()).isCloseTo(4.5722929423051e-06, within(1e-12));
    // 100 after 120: 17 % fewer, p = 0.10: chance
    ReleaseTests.Comparison fewer = ReleaseTests.countDrop(100, 120, C);
    assertThat(fewer.worse()).isFalse();
    assertThat(fewer.p()).isCloseTo(0.10004611451413552, within(1e-9));
    // 8 after 20: 60 % fewer, but p = 0.018 is not below 0.01
    ReleaseTests.Comparison small = ReleaseTests.countDrop(8, 20, C);
    assertThat(small.p()).isCloseTo(0.017849069088697433, within(1e-9));
    assertThat(small.worse()).isFalse();
    // under 20 orders before: too little to judge
    assertThat(ReleaseTests.countDrop(0, 19, C).judged()).isFalse();
  }

  @Test
  void aLargeDropThatIsTooSmallToMatterIsNoDegradation() {
    // 95,000 after 100,000: beyond chance (p far below 0.01), but 5 % is under min_drop
    ReleaseTests.Comparison c = ReleaseTests.countDrop(95_000, 100_000, C);
    assertThat(c.p()).isLessThan(1e-20);
    assertThat(c.worse()).isFalse();
  }

  @Test
  void errorSharesAreWeightedByEachWindowsTraffic() {
    // 3 % of 1,000 after 1 % of 1,000
    ReleaseTests.Comparison tripled = ReleaseTests.shareRise(30, 1000, 10, 1000, C);
    assertThat(tripled.p()).isCloseTo(0.0011107168866146822, within(1e-9));
    assertThat(tripled.worse()).isTrue();
    // 1.4 % after 1 %: chance, and under a percentage point
    assertThat(ReleaseTests.shareRise(14, 1000, 10, 1000, C).worse()).isFalse();
    // the baseline twice as busy: 20 of 2,000 is the same 1 %
    ReleaseTests.Comparison weighted = ReleaseTests.shareRise(30, 1000, 20, 2000, C);
    assertThat(weighted.p()).isCloseTo(0.00010001234969172675, within(1e-12));
    // no errors on either side: judged, not worse
    assertThat(ReleaseTests.shareRise(0, 500, 0, 500, C))
        .isEqualTo(new ReleaseTests.Comparison(true, false, 1));
    assertThat(ReleaseTests.shareRise(5, 10, 0, 500, C).judged()).isFalse();
  }

  @Test
  void aBacklogCountsWhenItDoublesAndGrowsByEnoughJobs() {
    assertThat(ReleaseTests.levelRise(130, 60, C).worse()).isTrue();
    assertThat(ReleaseTests.levelRise(100, 60, C).worse()).isFalse(); // not doubled
    assertThat(ReleaseTests.levelRise(8, 2, C).worse()).isFalse(); // 6 jobs more
    assertThat(ReleaseTests.levelRise(Double.NaN, 2, C).judged()).isFalse();
  }
}
