package io.tillwatch.collector.remote;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Decides which failure reasons reach the log: a reason is written when first seen and then at most
 * once per {@code every} milliseconds, however often it recurs between successes, so that an
 * endpoint refusing one tenant's samples on every request does not flood the log. Keeps the last
 * {@value #KEPT} reasons.
 */
final class FailureLog {
  private static final int KEPT = 64;

  private final long everyMillis;
  private final LongSupplier clock;
  private final Map<String, Long> lastWritten =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > KEPT;
        }
      };

  FailureLog(long everyMillis, LongSupplier clock) {
    this.everyMillis = everyMillis;
    this.clock = clock;
  }

  /** Whether this occurrence of {@code reason} is to be logged. */
  synchronized boolean shouldLog(String reason) {
    long now = clock.getAsLong();
    Long last = lastWritten.get(reason);
    if (last != null && now - last < everyMillis) {
      return false;
    }
    lastWritten.put(reason, now);
    return true;
  }
}
