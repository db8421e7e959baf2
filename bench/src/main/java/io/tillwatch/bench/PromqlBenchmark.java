package io.tillwatch.bench;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: parsing a typical alert expression, and evaluating {@code sum by (tenant) (rate(x[5m]))}
 * over 1000 series (100 tenants × 10) of 3 hours at 15 s held in memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PromqlBenchmark {
  static final String ALERT =
      "sum by (tenant) (rate(tillwatch_http_requests_total{code_class=\"5xx\"}[5m]))"
          + " / sum by (tenant) (rate(tillwatch_http_requests_total[5m])) > 0.05";

  MemorySource source;
  Expr rateSum;
  long now;

  @Setup
  public void setUp() {
    source = new MemorySource();
    int points = 720;
    long start = 1_763_800_000_000L;
    now = start + (points - 1) * 15_000L;
    for (int t = 0; t < 100; t++) {
      for (int s = 0; s < 10; s++) {
        long[] times = new long[points];
        double[] values = new double[points];
        for (int k = 0; k < points; k++) {
          times[k] = start + k * 15_000L;
          values[k] = k * (s + 1);
        }
        source.add(
            Labels.of("__name__", "x", "tenant", "tenant-" + t, "instance", "i" + s),
            times,
            values);
      }
    }
    rateSum = Parser.parse("sum by (tenant) (rate(x[5m]))");
  }

  @Benchmark
  public Expr parseAlertExpression() {
    return Parser.parse(ALERT);
  }

  @Benchmark
  public Value sumOfRatesOver1000Series() {
    return Evaluator.instant(source, now).eval(rateSum, now);
  }
}
