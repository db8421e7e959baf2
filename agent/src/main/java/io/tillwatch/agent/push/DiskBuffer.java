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
 * leaves either the whole batch or none of it; the directory itself is forced after every rename
 * and delete. Batches the collector refuses for their tenant (401/403) are held aside in {@code
 * held/} and retried on their own, so that they never stop the others. Bounded in bytes (held
 * batches included): when a new batch would pass the bound, the oldest are deleted and their
 * samples reported as dropped. One agent a directory: an exclusive lock on {@code .lock} says so.
 * Thread- safe.
 */
public final class DiskBuffer implements AutoCloseable {
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
  private final Path heldDir;
  private final long maxBytes;
  private final Deque<Batch> batches = new ArrayDeque<>();
  private final Deque<Batch> held = new ArrayDeque<>();
  private long bytes;
  private long nextSequence;
  private FileChannel lockFile;
  private String agentId;
  private java.nio.channels.FileLock lock;

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
    this.heldDir = dir.resolve("held");
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(heldDir);
      lockFile =
          FileChannel.open(
              dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = lockFile.tryLock();
      if (lock == null) {
        lockFile.close();
        throw new StartupException(
            "agent.push.buffer_dir",
            "the push buffer in "
                + dir
                + " is in use by another agent: give each agent a buffer_dir of its own");
      }
      Path idFile = dir.resolve(".agent-id");
      if (!Files.exists(idFile)) {
        write(dir, ".agent-id", java.util.UUID.randomUUID().toString().getBytes());
      }
      agentId = Files.readString(idFile).strip();
      for (Batch b : found(dir)) {
        batches.addLast(b);
        bytes += b.bytes();
        nextSequence = Math.max(nextSequence, b.sequence() + 1);
      }
      for (Batch b : found(heldDir)) {
        held.addLast(b);
        bytes += b.bytes();
        nextSequence = Math.max(nextSequence, b.sequence() + 1);
      }
    } catch (java.nio.channels.OverlappingFileLockException e) {
      throw new StartupException(
          "agent.push.buffer_dir",
          "the push buffer in " + dir + " is already open in this process",
          e);
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

  /** The batches in {@code d}, oldest first; a write that did not finish is deleted. */
  private static List<Batch> found(Path d) throws IOException {
    List<Batch> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(d)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (m.matches()) {
          found.add(
              new Batch(
                  Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Files.size(f), f));
        } else if (f.getFileName().toString().endsWith(".tmp")) {
          Files.deleteIfExists(f);
        }
      }
    }
    found.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
    return found;
  }

  /**
   * Stores a batch durably; returns the samples of older batches dropped to make room (0 when
   * nothing was dropped).
   */
  public synchronized long append(byte[] payload, int samples) {
    long dropped = makeRoom(payload.length);
    Batch b = write(dir, payload, samples);
    batches.addLast(b);
    bytes += payload.length;
    return dropped;
  }

  /** Stores a batch among the held ones (a part of a batch refused for its tenant). */
  public synchronized long hold(byte[] payload, int samples) {
    long dropped = makeRoom(payload.length);
    held.addLast(write(heldDir, payload, samples));
    bytes += payload.length;
    return dropped;
  }

  /** Moves a waiting batch among the held ones, as it is. */
  public synchronized void hold(Batch b) {
    if (!batches.remove(b)) {
      return;
    }
    Path to = heldDir.resolve(b.file().getFileName());
    try {
      Files.move(b.file(), to, StandardCopyOption.ATOMIC_MOVE);
      force(dir);
      force(heldDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + b.file() + " to " + heldDir, e);
    }
    held.addLast(new Batch(b.sequence(), b.samples(), b.bytes(), to));
  }

  /** The oldest held batch, or {@code null}. */
  public synchronized Batch oldestHeld() {
    return held.peekFirst();
  }

  /** Puts a held batch at the back of the held ones (refused again). */
  public synchronized void rotateHeld(Batch b) {
    if (held.remove(b)) {
      held.addLast(b);
    }
  }

  /** Held batches. */
  public synchronized int heldSize() {
    return held.size();
  }

  /** Deletes the oldest batches (held ones first) until {@code more} bytes fit. */
  private long makeRoom(long more) {
    long dropped = 0;
    while (bytes + more > maxBytes && !(held.isEmpty() && batches.isEmpty())) {
      Batch oldest = held.isEmpty() ? batches.removeFirst() : held.removeFirst();
      delete(oldest);
      dropped += oldest.samples();
    }
    return dropped;
  }

  private Batch write(Path into, byte[] payload, int samples) {
    long sequence = nextSequence++;
    Path file = into.resolve(String.format("%016d-%d.otlp", sequence, samples));
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
      force(into); // the rename itself survives a crash
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + tmp, e);
    }
    return new Batch(sequence, samples, payload.length, file);
  }

  /** Writes a small file durably (temporary name, forced, renamed). */
  private static void write(Path into, String name, byte[] content) throws IOException {
    Path tmp = into.resolve(name + ".tmp");
    Files.write(tmp, content);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, into.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    force(into);
  }

  /**
   * The id of a batch, the same on every attempt and across restarts: this buffer's own random id
   * (kept in {@code .agent-id}) and the batch's sequence.
   */
  public String id(Batch b) {
    return agentId + "-" + b.sequence();
  }

  /** Forces a directory's entries to disk (a rename or delete in it). */
  private static void force(Path directory) throws IOException {
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** The oldest batch, or {@code null} when empty. */
  public synchronized Batch oldest() {
    return batches.peekFirst();
  }

  /** Removes a batch once the collector has it (no-op when it was dropped meanwhile). */
  public synchronized void remove(Batch b) {
    if (batches.remove(b) || held.remove(b)) {
      delete(b);
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return batches.size();
  }

  /** Samples in all waiting batches, held ones included. */
  public synchronized long samples() {
    long n = 0;
    for (Batch b : batches) {
      n += b.samples();
    }
    for (Batch b : held) {
      n += b.samples();
    }
    return n;
  }

  private void delete(Batch b) {
    bytes -= b.bytes();
    try {
      Files.deleteIfExists(b.file());
      force(b.file().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + b.file(), e);
    }
  }

  /** Lets another agent (or a later one) open the directory. */
  @Override
  public synchronized void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockFile != null) {
        lockFile.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release " + dir.resolve(".lock"), e);
    }
  }
}
