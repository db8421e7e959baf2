package io.tillwatch.collector.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelBlocksTest {
  private static Series series(int i) {
    return new Series("up", Labels.of(Map.of("tenant", "t" + (i % 7), "instance", "i" + i)));
  }

  @Test
  void eachIdEncodedOnceAndFoundAgainPastGrowth() {
    LabelBlocks blocks = new LabelBlocks(100_000);
    byte[][] first = new byte[5000][];
    for (int i = 0; i < 5000; i++) {
      first[i] = blocks.get(i * 31L, series(i));
      assertArrayEquals(WriteRequests.labelBlock(series(i)), first[i]);
    }
    for (int i = 0; i < 5000; i++) {
      assertSame(first[i], blocks.get(i * 31L, series(i)), "id " + i * 31L);
    }
    assertEquals(5000, blocks.size());
  }

  @Test
  void emptiedAtItsBoundAndStillRight() {
    LabelBlocks blocks = new LabelBlocks(10);
    for (int i = 0; i < 25; i++) {
      assertArrayEquals(WriteRequests.labelBlock(series(i)), blocks.get(i, series(i)));
    }
    assertEquals(5, blocks.size());
  }
}
