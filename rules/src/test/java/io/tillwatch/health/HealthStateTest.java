package io.tillwatch.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void failingSinceTheFirstFailureWithTheLastReasonThenOkAgain() {
    MovingClock clock = new MovingClock();
    HealthState s = new HealthState(clock);
    assertThat(s.check()).isEqualTo(Health.ok(T0));
    clock.now = T0.plusSeconds(10);
    s.failed("connection refused");
    clock.now = T0.plusSeconds(20);
    s.failed("timeout");
    assertThat(s.check()).isEqualTo(Health.failing("timeout", T0.plusSeconds(10)));
    clock.now = T0.plusSeconds(30);
    s.succeeded();
    assertThat(s.check()).isEqualTo(Health.ok(T0.plusSeconds(30)));
    assertThat(s.lastFailure()).isEqualTo("timeout");
  }

  @Test
  void failsOnlyAfterEnoughFailuresInARow() {
    MovingClock clock = new MovingClock();
    HealthState s = new HealthState(clock, 3);
    s.failed("a");
    s.failed("b");
    s.succeeded();
    s.failed("c");
    s.failed("d");
    assertThat(s.check().ok()).isTrue();
    clock.now = T0.plus(Duration.ofMinutes(1));
    s.failed("e");
    assertThat(s.check()).isEqualTo(Health.failing("e", T0.plus(Duration.ofMinutes(1))));
  }

  @Test
  void aReportIsOkOnlyWhenEveryComponentIs() {
    Map<String, HealthCheck> checks = new LinkedHashMap<>();
    checks.put("storage", () -> Health.failing("connection refused", T0));
    checks.put("head", () -> Health.ok(T0));
    HealthReport r = HealthReport.of(checks);
    assertThat(r.ok()).isFalse();
    assertThat(r.failures()).isEqualTo("storage: connection refused");
    assertThat(r.asTree())
        .isEqualTo(
            Map.of(
                "status",
                "failing",
                "components",
                Map.of(
                    "storage",
                    Map.of(
                        "status", "failing",
                        "reason", "connection refused",
                        "since", "2026-12-01T08:00:00Z"),
                    "head",
                    Map.of("status", "ok", "since", "2026-12-01T08:00:00Z"))));
    assertThat(List.copyOf(r.components().keySet())).containsExactly("storage", "head");
    assertThat(HealthReport.of(Map.of("head", () -> Health.ok(T0))).ok()).isTrue();
  }

  @Test
  void aFailureSaysWhy() {
    assertThatThrownBy(() -> Health.failing(" ", T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("says why");
  }
}
