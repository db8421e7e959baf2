package io.tillwatch.collector.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.collector.chunk.XorChunk;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadTest {
  @Test
  void headKeepsOnlyTheWindowAndRefusesOutOfOrder() {
    Head head = new Head(java.time.Duration.ofMinutes(10));
    var s = new io.tillwatch.model.Series("x", io.tillwatch.model.Labels.of("tenant", "acme"));
    long start = 1_700_000_000_000L;
    for (int i = 0; i < 1000; i++) { // 1000 samples 15 s apart: 250 minutes
      head.append(s, start + i * 15_000L, i);
    }
    head.append(s, start, -1); // older than the newest: refused
    assertThat(head.outOfOrder()).isEqualTo(1);
    assertThat(head.samples()).isEqualTo(1000);
    long now = start + 999 * 15_000L;
    head.trim(now);
    List<double[]> kept = new ArrayList<>();
    head.read(s, Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> kept.add(new double[] {t, v}));
    // whole chunks go: what is left covers the window and at most one chunk more
    assertThat(kept.getFirst()[0]).isGreaterThan(now - 10 * 60_000L - XorChunk.CAPACITY * 15_000L);
    assertThat(kept.getFirst()[0]).isLessThanOrEqualTo(now - 10 * 60_000L);
    assertThat(kept.getLast()[1]).isEqualTo(999.0);
    assertThat(head.samples()).isEqualTo(kept.size());
  }
}
