package io.tillwatch.health;

import java.time.Clock;

/**
 * The health of a component that works in the background: each piece of work reports success or
 * failure, {@link #check()} answers from the last report. Thread-safe. A component that must fail
 * several times in a row before it counts as failing (a rule group, a flaky probe) says so with
 * {@code failuresToFail}.
 */
public final class HealthState implements HealthCheck {
  private final Clock clock;
  private final int failuresToFail;
  private Health health;
  private int consecutiveFailures;
  private String lastFailure = "";

  /** Ok from now; one failure makes it failing. */
  public HealthState(Clock clock) {
    this(clock, 1);
  }

  /** Ok from now; {@code failuresToFail} failures in a row make it failing. */
  public HealthState(Clock clock, int failuresToFail) {
    if (failuresToFail < 1) {
      throw new IllegalArgumentException("failuresToFail must be at least 1");
    }
    this.clock = clock;
    this.failuresToFail = failuresToFail;
    this.health = Health.ok(clock.instant());
  }

  /** The work succeeded: ok (since now, unless it already was). */
  public synchronized void succeeded() {
    consecutiveFailures = 0;
    if (!health.ok()) {
      health = Health.ok(clock.instant());
    }
  }

  /** The work failed for {@code reason}: failing once it has failed often enough in a row. */
  public synchronized void failed(String reason) {
    consecutiveFailures++;
    lastFailure = reason == null || reason.isBlank() ? "failed" : reason;
    if (consecutiveFailures >= failuresToFail) {
      health =
          health.ok()
              ? Health.failing(lastFailure, clock.instant())
              : Health.failing(lastFailure, health.since());
    }
  }

  /** The last failure's reason, even while still ok; empty when it never failed. */
  public synchronized String lastFailure() {
    return lastFailure;
  }

  @Override
  public synchronized Health check() {
    return health;
  }
}
