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

  @Test
  void samplesAndAnyAnswerForRangesInsideAcrossAndBetweenChunks() {
    Head head = new Head(java.time.Duration.ofDays(1));
    var s = new io.tillwatch.model.Series("x", io.tillwatch.model.Labels.of("tenant", "acme"));
    long start = 1_700_000_000_000L;
    // 300 samples a minute apart: three chunks (120, 120, 60), values the index
    for (int i = 0; i < 300; i++) {
      head.append(s, start + i * 60_000L, i);
    }
    Head.Samples all = head.samples(s, Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(all.times()).hasSize(300);
    assertThat(all.values()[299]).isEqualTo(299.0);
    // across the first chunk's end into the second: bounds included
    Head.Samples mid = head.samples(s, start + 100 * 60_000L, start + 130 * 60_000L);
    assertThat(mid.times()).hasSize(31);
    assertThat(mid.times()[0]).isEqualTo(start + 100 * 60_000L);
    assertThat(mid.values()[30]).isEqualTo(130.0);
    // between two samples inside one chunk: nothing, though the chunk overlaps the range
    long between = start + 10 * 60_000L + 1;
    assertThat(head.samples(s, between, between + 50_000L)).isNull();
    assertThat(head.any(s, between, between + 50_000L)).isFalse();
    assertThat(head.any(s, between, between + 60_000L)).isTrue();
    assertThat(head.any(s, start - 60_000L, start)).isTrue();
    assertThat(head.any(s, start + 299 * 60_000L + 1, Long.MAX_VALUE)).isFalse();
    var other = new io.tillwatch.model.Series("y", io.tillwatch.model.Labels.of("tenant", "acme"));
    assertThat(head.samples(other, Long.MIN_VALUE, Long.MAX_VALUE)).isNull();
    assertThat(head.any(other, Long.MIN_VALUE, Long.MAX_VALUE)).isFalse();
  }

  private static io.tillwatch.model.Series series(String tenant, int id) {
    return new io.tillwatch.model.Series(
        "x", io.tillwatch.model.Labels.of("tenant", tenant, "id", Integer.toString(id)));
  }

  @Test
  void seriesAdmittedAndNotYetWrittenCountAgainstTheirTenantsLimit() throws Exception {
    Head head = new Head(java.time.Duration.ofHours(1));
    // two requests checked at once, 40 new series each, a limit of 50: 50 pass between them
    java.util.Set<io.tillwatch.model.Series> admitted =
        java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Thread> requests = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      int base = r * 100;
      requests.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 40; i++) {
                      var s = series("bomb", base + i);
                      if (head.admit(s, 50) == Head.Admission.ADMITTED) {
                        admitted.add(s);
                      }
                    }
                  }));
    }
    for (Thread t : requests) {
      t.join();
    }
    assertThat(admitted).hasSize(50);
    assertThat(head.seriesOf("bomb")).isZero(); // admitted, not held yet
    // another tenant has its own limit
    assertThat(head.admit(series("acme", 1), 50)).isEqualTo(Head.Admission.ADMITTED);
    // one written: held, no longer admitted; the count stays at the limit
    List<io.tillwatch.model.Series> pending = new ArrayList<>(admitted);
    head.append(pending.removeFirst(), 1_000L, 1);
    assertThat(head.seriesOf("bomb")).isEqualTo(1);
    for (var s : admitted) {
      assertThat(head.admit(s, 50)).isEqualTo(Head.Admission.KNOWN);
    }
    assertThat(head.admit(series("bomb", 999), 50)).isEqualTo(Head.Admission.REFUSED);
    // a write that failed gives its series back
    head.release(pending.subList(0, 10));
    for (int i = 0; i < 10; i++) {
      assertThat(head.admit(series("bomb", 500 + i), 50)).isEqualTo(Head.Admission.ADMITTED);
    }
    assertThat(head.admit(series("bomb", 510), 50)).isEqualTo(Head.Admission.REFUSED);
  }
}
