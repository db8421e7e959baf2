package io.tillwatch.health;

/** A component that reports its health; {@link #check()} does no I/O. */
@FunctionalInterface
public interface HealthCheck {
  /** The component's health now: ok, or its last failure and since when. */
  Health check();
}
