package io.tillwatch.collector.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A queue of remote-write pieces on disk that survives restarts: records appended to segment files
 * ({@code 0000000000000001.seg}, a new one past 8 MiB), read from a position kept in {@code
 * position} (one fixed-length write in place after each acknowledged send). Each record carries its
 * length and a CRC-32C: a record a crash cut short ends the log there. Bounded: past {@code
 * maxBytes} the oldest segment goes, its samples counted as dropped.
 *
 * <p>Appends do not force the disk: a record survives the collector's process being killed (the
 * kernel holds it), not the machine losing power before it writes back.
 */
final class SegmentLog implements AutoCloseable {
  static final int SEGMENT_BYTES = 8 << 20;
  private final int segmentBytes;
  private static final Pattern NAME = Pattern.compile("([0-9]{16})\\.seg");
  private static final int HEADER = 8;

  /**
   * One queued piece: a tenant's samples as a serialized {@code WriteRequest}, the bytes of {@code
   * record} from {@code offset} on (the record as read, not copied again).
   */
  record Record(
      String tenant,
      int samples,
      long highestTime,
      byte[] record,
      int offset,
      long segment,
      long next) {
    int requestLength() {
      return record.length - offset;
    }

    /** The request's bytes into {@code to} at {@code at}. */
    void copyRequest(byte[] to, int at) {
      System.arraycopy(record, offset, to, at, record.length - offset);
    }

    /** A copy of the request's bytes. */
    byte[] request() {
      return java.util.Arrays.copyOfRange(record, offset, record.length);
    }
  }

  private record Segment(long seq, Path file, long bytes, long samples) {}

  private final Path dir;
  private final long maxBytes;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private FileChannel head;
  private long headSeq;
  private long headBytes;
  private long headSamples;
  private long readSeq;
  private long readOffset;
  private long pendingSamples;
  private long dropped;
  private FileChannel reader;
  private long readerSeq;
  private FileChannel position;

  SegmentLog(Path dir, long maxBytes) {
    this(dir, maxBytes, SEGMENT_BYTES);
  }

  /** As above, with segments of {@code segmentBytes} (tests make them small). */
  SegmentLog(Path dir, long maxBytes, int segmentBytes) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
      List<Long> seqs = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        files.forEach(
            f -> {
              Matcher m = NAME.matcher(f.getFileName().toString());
              if (m.matches()) {
                seqs.add(Long.parseLong(m.group(1)));
              }
            });
      }
      seqs.sort(null);
      long[] pos = readPosition();
      readSeq = pos[0];
      readOffset = pos[1];
      for (long seq : seqs) {
        if (seq < readSeq) {
          Files.deleteIfExists(file(seq)); // sent before the restart
          continue;
        }
        long[] scanned = scan(seq, seq == readSeq ? readOffset : 0);
        segments.addLast(new Segment(seq, file(seq), scanned[0], scanned[1]));
      }
      if (segments.isEmpty()) {
        headSeq = Math.max(1, readSeq);
        segments.addLast(new Segment(headSeq, file(headSeq), 0, 0));
      } else {
        headSeq = segments.peekLast().seq();
      }
      if (readSeq < segments.peekFirst().seq()) {
        readSeq = segments.peekFirst().seq();
        readOffset = 0;
      }
      Segment last = segments.pollLast();
      headBytes = last.bytes();
      headSamples = last.samples();
      segments.addLast(last);
      head = FileChannel.open(file(headSeq), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      head.truncate(headBytes); // a record a crash cut short goes
      head.position(headBytes);
      for (Segment s : segments) {
        pendingSamples += s.samples();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the remote-write queue in " + dir, e);
    }
  }

  private Path file(long seq) {
    return dir.resolve(String.format("%016d.seg", seq));
  }

  private long[] readPosition() throws IOException {
    Path p = dir.resolve("position");
    if (!Files.exists(p)) {
      return new long[] {0, 0};
    }
    String[] f = Files.readString(p).trim().split(" ");
    try {
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    } catch (RuntimeException e) {
      return new long[] {0, 0}; // unreadable: send everything again (receivers take repeats)
    }
  }

  /**
   * The valid length of a segment and the samples of its records from {@code from} on: reading
   * stops at the first record cut short or not matching its checksum.
   */
  private long[] scan(long seq, long from) throws IOException {
    long samples = 0;
    long at = 0;
    try (FileChannel ch = FileChannel.open(file(seq), StandardOpenOption.READ)) {
      long size = ch.size();
      while (at + HEADER <= size) {
        Record r = read(ch, seq, at, size);
        if (r == null) {
          break;
        }
        if (at >= from) {
          samples += r.samples();
        }
        at = r.next();
      }
    }
    return new long[] {at, samples};
  }

  private static Record read(FileChannel ch, long seq, long at, long size) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    if (ch.read(h, at) < HEADER) {
      return null;
    }
    int length = h.getInt(0);
    int crc = h.getInt(4);
    if (length < 14 || at + HEADER + length > size) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    while (body.hasRemaining()) {
      if (ch.read(body, at + HEADER + body.position()) < 0) {
        return null;
      }
    }
    CRC32C c = new CRC32C();
    c.update(body.array());
    if ((int) c.getValue() != crc) {
      return null;
    }
    byte[] b = body.array();
    int tenantLength = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    int samples = body.getInt(2 + tenantLength);
    long highest = body.getLong(2 + tenantLength + 4);
    return new Record(
        new String(b, 2, tenantLength, StandardCharsets.UTF_8),
        samples,
        highest,
        b,
        2 + tenantLength + 4 + 8,
        seq,
        at + HEADER + length);
  }

  /** Appends a piece (not forced to disk); the oldest segments go while over the bound. */
  synchronized void append(String tenant, int samples, long highestTime, byte[] request) {
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    int length = 2 + t.length + 4 + 8 + request.length;
    ByteBuffer meta = ByteBuffer.allocate(HEADER + 2 + t.length + 4 + 8);
    meta.position(HEADER);
    meta.putShort((short) t.length).put(t).putInt(samples).putLong(highestTime);
    CRC32C c = new CRC32C();
    c.update(meta.array(), HEADER, meta.capacity() - HEADER);
    c.update(request);
    meta.putInt(0, length).putInt(4, (int) c.getValue()).flip();
    ByteBuffer[] rec = {meta, ByteBuffer.wrap(request)};
    try {
      if (headBytes > 0 && headBytes + HEADER + length > segmentBytes) {
        rotate();
      }
      while (rec[1].hasRemaining()) {
        head.write(rec); // one gathering write: no copy of the request
      }
      headBytes += HEADER + length;
      headSamples += samples;
      pendingSamples += samples;
      Segment last = segments.pollLast();
      segments.addLast(new Segment(last.seq(), last.file(), headBytes, headSamples));
      while (bytes() > maxBytes && segments.size() > 1) {
        dropOldest();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the remote-write queue in " + dir, e);
    }
    notifyAll();
  }

  private void rotate() throws IOException {
    head.close();
    headSeq++;
    headBytes = 0;
    headSamples = 0;
    segments.addLast(new Segment(headSeq, file(headSeq), 0, 0));
    head =
        FileChannel.open(
            file(headSeq),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
  }

  private void dropOldest() throws IOException {
    Segment s = segments.pollFirst();
    long unsent = s.seq() == readSeq ? unsentSamples(s) : s.samples();
    dropped += unsent;
    pendingSamples -= unsent;
    if (readerSeq == s.seq()) {
      closeReader();
    }
    Files.deleteIfExists(s.file());
    readSeq = segments.peekFirst().seq();
    readOffset = 0;
  }

  private long unsentSamples(Segment s) throws IOException {
    long samples = 0;
    try (FileChannel ch = FileChannel.open(s.file(), StandardOpenOption.READ)) {
      long at = readOffset;
      Record r;
      while (at < s.bytes() && (r = read(ch, s.seq(), at, s.bytes())) != null) {
        samples += r.samples();
        at = r.next();
      }
    }
    return samples;
  }

  /** Bytes on disk. */
  synchronized long bytes() {
    long b = 0;
    for (Segment s : segments) {
      b += s.bytes();
    }
    return b;
  }

  /** Samples not yet acknowledged. */
  synchronized long pendingSamples() {
    return pendingSamples;
  }

  /** Samples dropped because the queue was full, since start. */
  synchronized long droppedSamples() {
    return dropped;
  }

  /**
   * The next records from the read position, up to {@code maxSamples} (at least one), all of one
   * tenant when {@code oneTenant}; waits up to {@code waitMillis} for one. Empty when none came.
   */
  synchronized List<Record> peek(int maxSamples, boolean oneTenant, long waitMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitMillis;
    while (pendingSamples == 0) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return List.of();
      }
      wait(left);
    }
    List<Record> out = new ArrayList<>();
    int samples = 0;
    try {
      for (Segment s : segments) {
        if (s.seq() < readSeq) {
          continue;
        }
        long at = s.seq() == readSeq ? readOffset : 0;
        FileChannel ch = reader(s);
        Record r;
        while (at < s.bytes() && (r = read(ch, s.seq(), at, s.bytes())) != null) {
          if (!out.isEmpty()
              && (samples + r.samples() > maxSamples
                  || (oneTenant && !r.tenant().equals(out.get(0).tenant())))) {
            return out;
          }
          out.add(r);
          samples += r.samples();
          at = r.next();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the remote-write queue in " + dir, e);
    }
    if (out.isEmpty()) {
      // counted as pending but nothing readable past the position (a damaged file): those
      // samples are lost; say so once instead of looking again and again
      dropped += pendingSamples;
      pendingSamples = 0;
    }
    return out;
  }

  /** The open channel reading {@code s} (kept while the sender reads that segment). */
  private FileChannel reader(Segment s) throws IOException {
    if (reader == null || readerSeq != s.seq()) {
      closeReader();
      reader = FileChannel.open(s.file(), StandardOpenOption.READ);
      readerSeq = s.seq();
    }
    return reader;
  }

  private void closeReader() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        // a read-only channel: nothing to keep
      }
      reader = null;
    }
  }

  /**
   * Overwrites the position in place, one write of fixed length (a process killed mid-way cannot
   * leave half of it: the kernel holds the whole write).
   */
  private void writePosition() throws IOException {
    if (position == null) {
      position =
          FileChannel.open(
              dir.resolve("position"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
    byte[] text =
        String.format("%019d %019d\n", readSeq, readOffset).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.wrap(text);
    long at = 0;
    while (b.hasRemaining()) {
      at += position.write(b, at);
    }
  }

  /** The records up to and including {@code last} were delivered (or dropped): move past them. */
  synchronized void ack(List<Record> done) {
    if (done.isEmpty()) {
      return;
    }
    Record last = done.get(done.size() - 1);
    if (last.segment() < readSeq || (last.segment() == readSeq && last.next() <= readOffset)) {
      return; // dropped meanwhile with its segment
    }
    for (Record r : done) {
      if (r.segment() > readSeq || (r.segment() == readSeq && r.next() > readOffset)) {
        pendingSamples -= r.samples();
      }
    }
    readSeq = last.segment();
    readOffset = last.next();
    try {
      // segments wholly read go
      while (segments.size() > 1 && segments.peekFirst().seq() < readSeq) {
        Segment read = segments.pollFirst();
        if (readerSeq == read.seq()) {
          closeReader();
        }
        Files.deleteIfExists(read.file());
      }
      writePosition();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the remote-write position in " + dir, e);
    }
  }

  @Override
  public synchronized void close() {
    closeReader();
    try {
      if (position != null) {
        position.close();
      }
      head.close();
    } catch (IOException e) {
      // closing: nothing to keep
    }
    notifyAll();
  }
}
