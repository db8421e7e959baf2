package io.tillwatch.config;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a file that configuration names (a rule file, a secret): libraries never open files
 * themselves, the process hands them {@code Files::readString}.
 */
@FunctionalInterface
public interface FileReader {
  /** The file's text (UTF-8). */
  String read(Path file) throws IOException;
}
