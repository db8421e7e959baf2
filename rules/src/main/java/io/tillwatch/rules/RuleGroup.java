package io.tillwatch.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A group of rules evaluated together, in order, every {@code interval}.
 *
 * @param interval the group's own interval; empty: the global evaluation interval
 * @param limit Prometheus's {@code limit}: a recording rule giving more series, or an alerting rule
 *     more pending and firing alerts, fails (its alerts are dropped); 0 is no limit
 */
public record RuleGroup(String name, Optional<Duration> interval, int limit, List<Rule> rules) {
  public RuleGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(interval, "interval");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative");
    }
    rules = List.copyOf(rules);
  }

  /** A group with its own interval and no limit. */
  public RuleGroup(String name, Duration interval, List<Rule> rules) {
    this(name, Optional.of(interval), 0, rules);
  }
}
