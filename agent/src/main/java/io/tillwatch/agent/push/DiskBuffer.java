package io.tillwatch.agent.push;

import io.tillwatch.config.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Batches waiting to be pushed, one file each ({@code <sequence>-<samples>.otlp}) in a directory
 * that survives restarts: written to a temporary name, forced to disk, then renamed, so a crash
 * leaves either the whole batch or none of it. Bounded in bytes: when a new batch would pass the
 * bound, the oldest are deleted and their samples reported as dropped. Thread-safe.
 */
public final class DiskBuffer {
  private static final Pattern NAME = Pattern.compile("([0-9]{16})-([0-9]+)\\.otlp");

  /** One stored batch. */
  public record Batch(long sequence, int samples, long bytes, Path file) {
    /** The batch's bytes. */
    public byte[] read() {
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final Deque<Batch> batches = new ArrayDeque<>();
  private long bytes;
  private long nextSequence;

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  /** Opens (or creates) the buffer in {@code dir}, taking up the batches a previous run left. */
  public DiskBuffer(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
      List<Batch> found = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Matcher m = NAME.matcher(f.getFileName().toString());
          if (m.matches()) {
            found.add(
                new Batch(
                    Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Files.size(f), f));
          } else if (f.getFileName().toString().endsWith(".tmp")) {
            Files.deleteIfExists(f); // a write that did not finish
          }
        }
      }
      found.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
      for (Batch b : found) {
        batches.addLast(b);
        bytes += b.bytes();
        nextSequence = b.sequence() + 1;
      }
    } catch (IOException e) {
      throw new StartupException(
          "agent.push.buffer_dir",
          "cannot open the push buffer in "
              + dir
              + ": "
              + reason(e)
              + " (the agent's user must be able to create and write files there)",
          e);
    }
  }

  /**
   * Stores a batch durably; returns the samples of older batches dropped to make room (0 when
   * nothing was dropped).
   */
  public synchronized long append(byte[] payload, int samples) {
    long dropped = 0;
    while (!batches.isEmpty() && bytes + payload.length > maxBytes) {
      Batch oldest = batches.removeFirst();
      delete(oldest);
      dropped += oldest.samples();
    }
    long sequence = nextSequence++;
    Path file = dir.resolve(String.format("%016d-%d.otlp", sequence, samples));
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(payload);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tmp, e);
    }
    try {
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + tmp, e);
    }
    batches.addLast(new Batch(sequence, samples, payload.length, file));
    bytes += payload.length;
    return dropped;
  }

  /** The oldest batch, or {@code null} when empty. */
  public synchronized Batch oldest() {
    return batches.peekFirst();
  }

  /** Removes a batch once the collector has it (no-op when it was dropped meanwhile). */
  public synchronized void remove(Batch b) {
    if (batches.remove(b)) {
      delete(b);
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return batches.size();
  }

  /** Samples in all waiting batches. */
  public synchronized long samples() {
    long n = 0;
    for (Batch b : batches) {
      n += b.samples();
    }
    return n;
  }

  private void delete(Batch b) {
    bytes -= b.bytes();
    try {
      Files.deleteIfExists(b.file());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + b.file(), e);
    }
  }
}
