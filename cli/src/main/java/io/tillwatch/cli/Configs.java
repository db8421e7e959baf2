package io.tillwatch.cli;

import io.tillwatch.config.FileReader;
import io.tillwatch.config.Interpolation;
import java.nio.file.Files;

/** The process's side of configuration: its environment and its files. */
final class Configs {
  /** Reads the files that configuration names. */
  static final FileReader FILES = Files::readString;

  private Configs() {}

  /** {@code ${NAME}} from the process's environment, {@code file:} secrets from its files. */
  static Interpolation interpolation() {
    return new Interpolation(System::getenv, FILES);
  }
}
