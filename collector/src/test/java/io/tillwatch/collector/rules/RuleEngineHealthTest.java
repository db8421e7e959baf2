package io.tillwatch.collector.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.health.Health;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Rule evaluation is failing after 3 failing evaluations of a group in a row, and says why. */
class RuleEngineHealthTest {
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  @Test
  void aGroupFailingThreeEvaluationsInARowMakesRuleEvaluationFail() {
    AtomicBoolean storageDown = new AtomicBoolean(true);
    MemorySource memory = new MemorySource();
    SeriesSource data =
        (matchers, min, max) -> {
          if (storageDown.get()) {
            throw new IllegalStateException("reading stored samples: Connection refused");
          }
          return memory.select(matchers, min, max);
        };
    RuleGroup group =
        new RuleGroup(
            "orders",
            Duration.ofMinutes(1),
            List.of(
                new Rule.Recording(
                    "tenant:orders:rate5m",
                    "sum(rate(orders_total[5m]))",
                    Parser.parse("sum(rate(orders_total[5m]))"),
                    Map.of())));
    RuleEngine engine =
        new RuleEngine(
            List.of(group),
            Duration.ofMinutes(1),
            data,
            batch -> true,
            new SimpleMeterRegistry(),
            Map.of(),
            Clock.fixed(T0, ZoneOffset.UTC));
    RuleEngine.GroupState g = engine.groups().get(0);
    long t = T0.toEpochMilli();

    engine.evaluate(g, t);
    engine.evaluate(g, t + 60_000);
    assertThat(engine.check().ok()).isTrue();
    engine.evaluate(g, t + 120_000);
    Health failing = engine.check();
    assertThat(failing.ok()).isFalse();
    assertThat(failing.reason())
        .isEqualTo(
            "rule tenant:orders:rate5m of group orders: reading stored samples: Connection"
                + " refused");

    storageDown.set(false);
    engine.evaluate(g, t + 180_000);
    assertThat(engine.check().ok()).isTrue();
  }

  @Test
  void recordedSamplesTheWriteQueueRefusesAreAFailureToo() {
    RuleGroup group =
        new RuleGroup(
            "platform",
            Duration.ofMinutes(1),
            List.of(new Rule.Recording("one", "vector(1)", Parser.parse("vector(1)"), Map.of())));
    RuleEngine engine =
        new RuleEngine(
            List.of(group),
            Duration.ofMinutes(1),
            new MemorySource(),
            batch -> false,
            new SimpleMeterRegistry(),
            Map.of(),
            Clock.fixed(T0, ZoneOffset.UTC));
    RuleEngine.GroupState g = engine.groups().get(0);
    for (int i = 0; i < RuleEngine.FAILED_CYCLES_TO_FAIL; i++) {
      engine.evaluate(g, T0.toEpochMilli() + i * 60_000L);
    }
    assertThat(engine.check().reason())
        .isEqualTo("write queue full: recorded samples of platform dropped");
  }
}
