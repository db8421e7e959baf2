package io.tillwatch.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * A collector with its tenant and schedule.
 *
 * @param tenant the tenant id (the {@code tenant} label)
 * @param type the target's type (the {@code type} label), e.g. {@code postgres}
 * @param interval time between scrapes
 * @param timeout a scrape running longer counts as failed with reason {@code timeout}
 * @param collector the collector; its {@link Collector#name()} is the {@code target} label
 */
public record ScrapeTarget(
    String tenant, String type, Duration interval, Duration timeout, Collector collector) {
  public ScrapeTarget {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(collector, "collector");
  }

  /** The target's name. */
  public String name() {
    return collector.name();
  }
}
