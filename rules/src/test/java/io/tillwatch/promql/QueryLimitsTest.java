package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A query ends at its limits with Prometheus's errors, whatever it asks for. */
class QueryLimitsTest {
  private static final long T = 1_700_000_000_000L;

  private static Value eval(String expr, QueryLimits limits) {
    return new Evaluator(new MemorySource(), Evaluator.DEFAULT_LOOKBACK_MILLIS, T, T, limits)
        .eval(Parser.parse(expr), T);
  }

  @Test
  @Timeout(10)
  void aSubqueryOfTooManyStepsStopsBeforeItStarts() {
    // 3650 days at 1 ms: 3.15e11 steps
    assertThatThrownBy(() -> eval("count_over_time(vector(1)[3650d:1ms])", QueryLimits.DEFAULT))
        .isInstanceOfSatisfying(
            QueryLimitException.class,
            e -> assertThat(e.kind()).isEqualTo(QueryLimitException.Kind.TOO_MANY_SAMPLES))
        .hasMessage("query processing would load too many samples into memory in query execution");
  }

  @Test
  @Timeout(10)
  void aQueryPastItsTimeoutStops() {
    assertThatThrownBy(
            () ->
                eval(
                    "count_over_time(vector(1)[30d:1s])",
                    new QueryLimits(50_000_000L, Duration.ofMillis(1))))
        .isInstanceOfSatisfying(
            QueryLimitException.class,
            e -> assertThat(e.kind()).isEqualTo(QueryLimitException.Kind.TIMEOUT))
        .hasMessage("query timed out in expression evaluation");
  }

  @Test
  void withinItsLimitsAQueryAnswers() {
    Value v = eval("count_over_time(vector(1)[1h:1m])", new QueryLimits(61, Duration.ofMinutes(1)));
    assertThat(((Value.Vector) v).samples().get(0).value()).isEqualTo(60);
    assertThatThrownBy(
            () ->
                eval(
                    "count_over_time(vector(1)[1h:1m])",
                    new QueryLimits(59, Duration.ofMinutes(1))))
        .isInstanceOf(QueryLimitException.class);
  }

  @Test
  void aSubqueryHoldsItsPointsAndOneStepAtATimeAsPrometheusCounts() {
    MemorySource data = new MemorySource();
    for (int i = 0; i < 100; i++) {
      for (long t = T - 3_600_000L; t <= T; t += 60_000L) {
        data.append(
            io.tillwatch.model.Labels.of(java.util.Map.of("__name__", "x", "i", "" + i)), t, 1);
      }
    }
    // 60 steps each selecting 100 samples, summed to one: at most 100 + 60 held at once
    Value v =
        new Evaluator(
                data,
                Evaluator.DEFAULT_LOOKBACK_MILLIS,
                T,
                T,
                new QueryLimits(300, Duration.ofMinutes(1)))
            .eval(Parser.parse("count_over_time(sum(x)[1h:1m])"), T);
    assertThat(((Value.Vector) v).samples().get(0).value()).isEqualTo(60);
    // a step's own samples still count: 100 series do not fit in 99
    assertThatThrownBy(
            () ->
                new Evaluator(
                        data,
                        Evaluator.DEFAULT_LOOKBACK_MILLIS,
                        T,
                        T,
                        new QueryLimits(99, Duration.ofMinutes(1)))
                    .eval(Parser.parse("count_over_time(sum(x)[1h:1m])"), T))
        .isInstanceOf(QueryLimitException.class);
  }
}
