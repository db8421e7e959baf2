package io.tillwatch.agent.traefik;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Complete lines appended to a file since the last call, across rotation: a rotated file (new inode
 * at the path) is read to its end before the new one is read from its start; a truncated file
 * (copytruncate) is read again from its start. Starts at the end of the file.
 */
final class FileTail implements AutoCloseable {
  private final Path path;
  private FileChannel channel;
  private Object fileKey;
  private long position;
  private final StringBuilder partial = new StringBuilder();

  FileTail(Path path) {
    this.path = path;
  }

  /** New complete lines; an unfinished last line waits for the next call. */
  List<String> newLines() throws IOException {
    List<String> lines = new ArrayList<>();
    if (channel == null) {
      if (!open(true)) {
        return lines;
      }
    }
    drain(lines);
    Object current = currentKey();
    if (current != null && !current.equals(fileKey)) { // rotated: the old file is done
      channel.close();
      partial.setLength(0);
      if (open(false)) {
        drain(lines);
      }
    } else if (channel.size() < position) { // truncated in place
      position = 0;
      partial.setLength(0);
      drain(lines);
    }
    return lines;
  }

  private boolean open(boolean atEnd) throws IOException {
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      channel = null;
      return false;
    }
    fileKey = currentKey();
    position = atEnd ? channel.size() : 0;
    return true;
  }

  private Object currentKey() throws IOException {
    try {
      return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class)
          .fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void drain(List<String> lines) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    while (true) {
      buf.clear();
      int n = channel.read(buf, position);
      if (n <= 0) {
        break;
      }
      position += n;
      bytes.write(buf.array(), 0, n);
    }
    if (bytes.size() == 0) {
      return;
    }
    partial.append(bytes.toString(StandardCharsets.UTF_8));
    int start = 0;
    for (int nl = partial.indexOf("\n"); nl >= 0; nl = partial.indexOf("\n", start)) {
      lines.add(partial.substring(start, nl));
      start = nl + 1;
    }
    partial.delete(0, start);
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
