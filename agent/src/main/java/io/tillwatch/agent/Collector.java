package io.tillwatch.agent;

import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.util.List;

/**
 * One scraped system, built from config alone; no I/O before {@link #collect()}. The runner adds
 * {@code tenant} and {@code target} labels, times each scrape and reports {@code up}.
 */
public interface Collector extends AutoCloseable {
  /** Stable id, used in config, labels and logs: the target's name. */
  String name();

  /** Scrapes once. Never throws: a failed future means the scrape failed. */
  Future<List<Sample>> collect();

  /** Releases connections; called once, after the last scrape has ended. */
  @Override
  default void close() {}
}
