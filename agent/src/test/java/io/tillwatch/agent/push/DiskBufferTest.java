package io.tillwatch.agent.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.config.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskBufferTest {
  @TempDir Path dir;

  private static byte[] payload(int size, int marker) {
    byte[] b = new byte[size];
    b[0] = (byte) marker;
    return b;
  }

  @Test
  void batchesComeBackInOrderAcrossARestart() {
    DiskBuffer buffer = new DiskBuffer(dir, 1_000_000);
    for (int i = 0; i < 5; i++) {
      assertThat(buffer.append(payload(100, i), 10 + i)).isZero();
    }
    buffer.close();
    DiskBuffer reopened = new DiskBuffer(dir, 1_000_000); // a new agent process on the same dir
    assertThat(reopened.size()).isEqualTo(5);
    assertThat(reopened.samples()).isEqualTo(10 + 11 + 12 + 13 + 14);
    List<Integer> markers = new ArrayList<>();
    for (DiskBuffer.Batch b = reopened.oldest(); b != null; b = reopened.oldest()) {
      markers.add((int) b.read()[0]);
      reopened.remove(b);
    }
    assertThat(markers).containsExactly(0, 1, 2, 3, 4);
    assertThat(reopened.bytes()).isZero();
    // numbering goes on after the restart: a new batch sorts after the old ones
    reopened.append(payload(10, 9), 1);
    assertThat(reopened.oldest().sequence()).isEqualTo(5);
  }

  @Test
  void aFullBufferDropsTheOldestAndSaysHowManySamples() {
    DiskBuffer buffer = new DiskBuffer(dir, 1000);
    assertThat(buffer.append(payload(400, 1), 40)).isZero();
    assertThat(buffer.append(payload(400, 2), 50)).isZero();
    assertThat(buffer.append(payload(400, 3), 60)).isEqualTo(40); // 1200 > 1000: batch 1 goes
    assertThat(buffer.bytes()).isEqualTo(800);
    assertThat(buffer.oldest().read()[0]).isEqualTo((byte) 2);
    assertThat(buffer.append(payload(900, 4), 70)).isEqualTo(110); // both older ones go
    assertThat(buffer.size()).isEqualTo(1);
  }

  @Test
  void anUnfinishedWriteIsIgnoredAndCleanedUp() throws Exception {
    DiskBuffer buffer = new DiskBuffer(dir, 1_000_000);
    buffer.append(payload(10, 1), 1);
    Files.write(dir.resolve("0000000000000001-5.otlp.tmp"), new byte[] {1, 2}); // a crash mid-write
    buffer.close();
    DiskBuffer reopened = new DiskBuffer(dir, 1_000_000);
    assertThat(reopened.size()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("0000000000000001-5.otlp.tmp"))).isFalse();
  }

  @Test
  void oneAgentADirectory() {
    DiskBuffer first = new DiskBuffer(dir, 1_000_000);
    assertThatThrownBy(() -> new DiskBuffer(dir, 1_000_000))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining(dir.toString());
    first.close();
    new DiskBuffer(dir, 1_000_000).close(); // free again once closed
  }

  @Test
  void heldBatchesStayAsideAcrossARestartAndCountInTheBound() {
    DiskBuffer buffer = new DiskBuffer(dir, 1000);
    buffer.append(payload(200, 1), 10);
    buffer.append(payload(200, 2), 20);
    buffer.hold(buffer.oldest()); // refused for its tenant
    buffer.hold(payload(100, 3), 5); // a tenant's part of a split batch
    assertThat(buffer.oldest().read()[0]).isEqualTo((byte) 2);
    assertThat(buffer.size()).isEqualTo(1);
    assertThat(buffer.heldSize()).isEqualTo(2);
    assertThat(buffer.samples()).isEqualTo(35);
    assertThat(buffer.bytes()).isEqualTo(500);
    buffer.close();
    DiskBuffer reopened = new DiskBuffer(dir, 1000);
    assertThat(reopened.size()).isEqualTo(1);
    assertThat(reopened.heldSize()).isEqualTo(2);
    assertThat(reopened.oldestHeld().read()[0]).isEqualTo((byte) 1);
    reopened.rotateHeld(reopened.oldestHeld());
    assertThat(reopened.oldestHeld().read()[0]).isEqualTo((byte) 3);
    // past the bound, held batches go first (they are the oldest)
    assertThat(reopened.append(payload(700, 4), 70)).isEqualTo(15);
    assertThat(reopened.heldSize()).isZero();
    assertThat(reopened.size()).isEqualTo(2);
    reopened.close();
  }
}
