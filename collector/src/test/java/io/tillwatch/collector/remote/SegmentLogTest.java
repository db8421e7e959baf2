package io.tillwatch.collector.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote-write queue on disk: every record read once across segment boundaries, the position
 * kept over a reopen, the oldest dropped (and counted) past the bound, a record cut short by a
 * crash dropped with nothing before it lost.
 */
class SegmentLogTest {
  @TempDir Path dir;

  private static byte[] body(int i) {
    return ("request-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
  }

  private static int number(SegmentLog.Record r) {
    return Integer.parseInt(new String(r.request(), StandardCharsets.UTF_8).split("-")[1]);
  }

  /** Reads everything there is, acknowledging as it goes; the record numbers in order. */
  private static List<Integer> drain(SegmentLog log, int perPeek) throws Exception {
    List<Integer> got = new ArrayList<>();
    while (log.pendingSamples() > 0) {
      List<SegmentLog.Record> r = log.peek(perPeek, false, 100);
      assertThat(r).isNotEmpty();
      for (SegmentLog.Record x : r) {
        got.add(number(x));
      }
      log.ack(r);
    }
    return got;
  }

  private long segments() throws Exception {
    try (Stream<Path> f = Files.list(dir)) {
      return f.filter(p -> p.toString().endsWith(".seg")).count();
    }
  }

  @Test
  void everyRecordIsReadOnceAcrossSegmentsAndReopens() throws Exception {
    SegmentLog log = new SegmentLog(dir, 10_000_000, 1024);
    for (int i = 0; i < 100; i++) {
      log.append(i % 2 == 0 ? "acme" : "globex", 3, 1000L + i, body(i));
    }
    assertThat(segments()).isGreaterThan(5); // small segments: many boundaries
    assertThat(log.pendingSamples()).isEqualTo(300);
    // half, then a restart, then the rest
    List<Integer> all = new ArrayList<>();
    while (all.size() < 50) {
      List<SegmentLog.Record> r = log.peek(3, false, 100);
      assertThat(r).hasSize(1);
      all.add(number(r.get(0)));
      log.ack(r);
    }
    log.close();
    SegmentLog again = new SegmentLog(dir, 10_000_000, 1024);
    assertThat(again.pendingSamples()).isEqualTo(150);
    all.addAll(drain(again, 7));
    List<Integer> want = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      want.add(i);
    }
    assertThat(all).isEqualTo(want);
    assertThat(segments()).isEqualTo(1); // read segments go
    // one tenant a peek when asked
    again.append("acme", 1, 1, body(1));
    again.append("globex", 1, 2, body(2));
    assertThat(again.peek(100, true, 100)).hasSize(1);
    assertThat(again.peek(100, false, 100)).hasSize(2);
    again.close();
  }

  @Test
  void pastItsBoundTheOldestGoAndAreCounted() throws Exception {
    SegmentLog log = new SegmentLog(dir, 4096, 1024);
    for (int i = 0; i < 200; i++) {
      log.append("acme", 2, i, body(i));
    }
    assertThat(log.bytes()).isLessThanOrEqualTo(4096 + 1024);
    List<Integer> left = drain(log, 10);
    assertThat(log.droppedSamples() + 2L * left.size()).isEqualTo(400);
    assertThat(log.droppedSamples()).isPositive();
    // what is left is the newest, in order
    assertThat(left.get(left.size() - 1)).isEqualTo(199);
    for (int i = 1; i < left.size(); i++) {
      assertThat(left.get(i)).isEqualTo(left.get(i - 1) + 1);
    }
  }

  @Test
  void aRecordCutShortByACrashGoesAndTheLogGoesOn() throws Exception {
    SegmentLog log = new SegmentLog(dir, 10_000_000);
    for (int i = 0; i < 5; i++) {
      log.append("acme", 1, i, body(i));
    }
    log.close();
    Path seg;
    try (Stream<Path> f = Files.list(dir)) {
      seg = f.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    // half a record at the end, as a kill in the middle of a write leaves it
    try (var ch = java.nio.channels.FileChannel.open(seg, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 5, 6}));
    }
    SegmentLog again = new SegmentLog(dir, 10_000_000);
    assertThat(again.pendingSamples()).isEqualTo(5);
    again.append("acme", 1, 5, body(5));
    assertThat(drain(again, 100)).containsExactly(0, 1, 2, 3, 4, 5);
    again.close();
  }
}
