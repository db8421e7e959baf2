package io.tillwatch.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.agent.postgres.StandbyStream.Observation;
import org.junit.jupiter.api.Test;

class StandbyStreamTest {
  private static final double NAN = Double.NaN;

  @Test
  void receiverNotStreamingIsDownWhateverTheLsns() {
    assertThat(StandbyStream.up(null, null, new Observation(100, 100))).isFalse();
    assertThat(StandbyStream.up("waiting", null, new Observation(100, 100))).isFalse();
    assertThat(StandbyStream.up("stopping", new Observation(100, 100), new Observation(100, 100)))
        .isFalse();
  }

  @Test
  void idlePrimaryAndIdleStandbyIsUp() {
    assertThat(StandbyStream.up("streaming", new Observation(100, 100), new Observation(100, 100)))
        .isTrue();
  }

  @Test
  void receivingIsUpEvenWhenBehind() {
    assertThat(StandbyStream.up("streaming", new Observation(100, 500), new Observation(300, 900)))
        .isTrue();
  }

  @Test
  void stalledWhileThePrimaryHadMoreLastTimeIsDown() {
    // "streaming" but nothing arrived since the last scrape, although the primary was ahead then
    assertThat(StandbyStream.up("streaming", new Observation(100, 500), new Observation(100, 900)))
        .isFalse();
  }

  @Test
  void walJustWrittenOnThePrimaryDoesNotCountYet() {
    // the primary wrote after the previous standby scrape: the standby may simply not have it yet
    assertThat(StandbyStream.up("streaming", new Observation(100, 100), new Observation(100, 180)))
        .isTrue();
  }

  @Test
  void unknownPrimaryFallsBackToTheReceiverStatus() {
    assertThat(StandbyStream.up("streaming", new Observation(100, NAN), new Observation(100, NAN)))
        .isTrue();
    assertThat(StandbyStream.up("streaming", null, new Observation(100, 900))).isTrue();
  }
}
