package io.tillwatch.rules;

import java.time.Duration;
import java.util.List;

/**
 * A group of rules evaluated together, in order, every {@code interval}.
 *
 * @param interval the group's own interval, or null for the global one
 */
public record RuleGroup(String name, Duration interval, List<Rule> rules) {
  public RuleGroup {
    rules = List.copyOf(rules);
  }
}
