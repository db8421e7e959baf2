package io.tillwatch.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A group of rules evaluated together, in order, every {@code interval}.
 *
 * @param interval the group's own interval; empty: the global evaluation interval
 */
public record RuleGroup(String name, Optional<Duration> interval, List<Rule> rules) {
  public RuleGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(interval, "interval");
    rules = List.copyOf(rules);
  }

  /** A group with its own interval. */
  public RuleGroup(String name, Duration interval, List<Rule> rules) {
    this(name, Optional.of(interval), rules);
  }
}
