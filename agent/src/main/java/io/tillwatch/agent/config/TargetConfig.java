package io.tillwatch.agent.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One scraped system of a tenant; {@link #type()} names its entry in {@code
 * io.tillwatch.agent.TargetTypes}, which makes its collector.
 */
public interface TargetConfig {
  /** Unique within the estate; the {@code target} label. */
  String name();

  /** The {@code type:} of the config entry, e.g. {@code postgres}; the {@code type} label. */
  String type();

  /** A per-target scrape interval that overrides the agent's. */
  Optional<Duration> interval();
}
