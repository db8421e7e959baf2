package io.tillwatch.agent;

import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TargetEntry;
import java.util.Set;

/**
 * One kind of target, as a table entry: its {@code type:} name, the keys of its entry in the estate
 * file, how the entry becomes a config record, and the collector for it. Adding a target type is a
 * package with its collector and this entry, plus one line in {@link TargetTypes}.
 *
 * @param <C> its config record
 */
public interface TargetType<C extends TargetConfig> {
  /** The {@code type:} value, e.g. {@code postgres}. */
  String name();

  /** The keys its entry may have besides {@code type}, {@code name} and {@code interval}. */
  Set<String> keys();

  /** The config record's class. */
  Class<C> configType();

  /**
   * Reads one entry of this type.
   *
   * @throws IllegalArgumentException or a positioned error from {@code entry} when it is wrong
   */
  C read(TargetEntry entry);

  /** A new collector for {@code config}; it does no I/O until scraped. */
  Collector create(C config, CollectorContext context);
}
