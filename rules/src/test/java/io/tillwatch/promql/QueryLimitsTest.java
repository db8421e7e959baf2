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
}
