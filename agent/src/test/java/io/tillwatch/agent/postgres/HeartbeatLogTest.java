package io.tillwatch.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeartbeatLogTest {
  @Test
  void unknownWithoutWrites() {
    assertThat(new HeartbeatLog().delaySeconds(1000, 5000)).isNaN();
  }

  @Test
  void caughtUpWithTheLatestWriteIsZeroHoweverOldItIs() {
    HeartbeatLog log = new HeartbeatLog();
    log.written(1_000);
    log.written(2_000);
    assertThat(log.delaySeconds(2_000, 60_000)).isZero();
  }

  @Test
  void behindByTheAgeOfTheFirstMissingWrite() {
    HeartbeatLog log = new HeartbeatLog();
    for (long t = 1_000; t <= 10_000; t += 1_000) {
      log.written(t);
    }
    // replayed the write of t=4000; the first missing one is t=5000
    assertThat(log.delaySeconds(4_000, 12_500)).isEqualTo(7.5);
  }

  @Test
  void olderThanEverythingKnownIsAtLeastTheOldestWrite() {
    HeartbeatLog log = new HeartbeatLog();
    log.written(10_000);
    log.written(11_000);
    assertThat(log.delaySeconds(500, 15_000)).isEqualTo(5.0);
  }
}
