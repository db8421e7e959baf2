package io.tillwatch.agent.postgres;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The heartbeats this agent wrote on one primary (agent clock, epoch ms). A standby that has
 * replayed heartbeat {@code h} lacks every later write, so it is behind by at least the age of the
 * first write after {@code h}: true delay, measured on one clock.
 */
final class HeartbeatLog {
  private static final int CAPACITY = 4096;
  private final ArrayDeque<Long> writes = new ArrayDeque<>();

  synchronized void written(long epochMillis) {
    if (writes.size() == CAPACITY) {
      writes.removeFirst();
    }
    writes.addLast(epochMillis);
  }

  /**
   * Seconds the standby is behind, or NaN when this log knows no write.
   *
   * @param replayedMillis the heartbeat value the standby has replayed
   * @param nowMillis the agent's clock now
   */
  synchronized double delaySeconds(long replayedMillis, long nowMillis) {
    if (writes.isEmpty()) {
      return Double.NaN;
    }
    if (writes.peekLast() <= replayedMillis) {
      return 0;
    }
    long firstMissing = writes.peekFirst();
    for (Iterator<Long> it = writes.descendingIterator(); it.hasNext(); ) {
      long w = it.next();
      if (w <= replayedMillis) {
        break;
      }
      firstMissing = w;
    }
    return Math.max(0, nowMillis - firstMissing) / 1000.0;
  }
}
