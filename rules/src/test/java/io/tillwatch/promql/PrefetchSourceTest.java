package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A range query reads each selector once, and answers exactly as reading at every step does. */
class PrefetchSourceTest {
  private static final long STEP = 60_000L;

  private static MemorySource data() {
    MemorySource m = new MemorySource();
    for (long t = 0; t <= 6 * 3_600_000L; t += 15_000L) {
      for (String tenant : List.of("acme", "globex")) {
        m.append(Labels.of("__name__", "x", "tenant", tenant), t, t / 1000.0);
        if (t % 60_000L == 0) {
          m.append(Labels.of("__name__", "y", "tenant", tenant), t, Math.sin(t / 1e6));
        }
      }
    }
    return m;
  }

  private static List<String> rangeEval(SeriesSource source, Expr e, long start, long end) {
    Evaluator ev = new Evaluator(source, Evaluator.DEFAULT_LOOKBACK_MILLIS, start, end);
    List<String> out = new ArrayList<>();
    for (long t = start; t <= end; t += STEP) {
      Value v = ev.eval(e, t);
      for (Value.Sample s : ((Value.Vector) v).samples()) {
        out.add(t + " " + s.labels() + " " + s.value());
      }
    }
    return out;
  }

  @Test
  void eachSelectorIsReadOnceAndTheAnswersAreTheSame() {
    MemorySource data = data();
    AtomicInteger reads = new AtomicInteger();
    SeriesSource counting =
        (matchers, min, max) -> {
          reads.incrementAndGet();
          return data.select(matchers, min, max);
        };
    long start = 3_600_000L;
    long end = 5 * 3_600_000L;
    // each query with how many different selectors it has
    for (Map.Entry<String, Integer> c :
        Map.of(
                "sum by (tenant) (rate(x[5m])) + on(tenant) y offset 10m", 2,
                "max_over_time(y[10m:1m]) * 2", 1,
                "y @ end() - y", 1,
                "sum(rate(x[1m])) / count(y{tenant=\"acme\"})", 2)
            .entrySet()) {
      String q = c.getKey();
      Expr e = Parser.parse(q);
      List<String> direct = rangeEval(data, e, start, end);
      reads.set(0);
      List<String> prefetched =
          rangeEval(
              PrefetchSource.of(counting, e, start, end, Evaluator.DEFAULT_LOOKBACK_MILLIS),
              e,
              start,
              end);
      assertThat(prefetched).as(q).isEqualTo(direct).isNotEmpty();
      assertThat(reads.get()).as(q).isEqualTo(c.getValue()); // once each, for 241 steps
    }
  }
}
