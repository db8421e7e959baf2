package io.tillwatch.agent.postgres;

/**
 * Decides whether a standby really receives WAL. A WAL receiver can look healthy (or be gone) while
 * its received LSN equals its replayed LSN, which reads as zero lag; the primary's moving LSN tells
 * the difference.
 */
final class StandbyStream {
  private StandbyStream() {}

  /**
   * What a standby scrape saw.
   *
   * @param receivedLsn the standby's last received LSN in bytes (NaN when unknown)
   * @param primaryLsn the primary's LSN last published by its own scrape (NaN when unknown)
   */
  record Observation(double receivedLsn, double primaryLsn) {}

  /**
   * Whether the stream is up.
   *
   * @param receiverStatus {@code pg_stat_wal_receiver.status}, null when there is no receiver
   * @param previous the previous scrape's observation, null on the first
   * @param current this scrape's observation
   * @return false when the receiver is not streaming, or when the standby has still not received
   *     WAL that its primary had written by the previous scrape and received nothing since
   */
  static boolean up(String receiverStatus, Observation previous, Observation current) {
    if (!"streaming".equals(receiverStatus)) {
      return false;
    }
    if (previous == null
        || Double.isNaN(previous.primaryLsn())
        || Double.isNaN(current.receivedLsn())) {
      return true;
    }
    boolean stalled = current.receivedLsn() <= previous.receivedLsn();
    boolean behindOldPrimary = current.receivedLsn() < previous.primaryLsn();
    return !(stalled && behindOldPrimary);
  }
}
