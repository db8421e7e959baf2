package io.tillwatch.config;

import java.nio.file.Path;

/**
 * A configuration error, naming the file, line and column (1-based) and the field's full path, e.g.
 * {@code estate.yaml:12:14: tenants[0].targets[1].interval: not a duration: '15'}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;
  private final int column;
  private final String field;
  private final String problem;

  public ConfigException(Path file, int line, int column, String field, String problem) {
    super(
        file + ":" + line + ":" + column + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field;
    this.problem = problem;
  }

  public Path file() {
    return file;
  }

  /** 1-based line. */
  public int line() {
    return line;
  }

  /** 1-based column. */
  public int column() {
    return column;
  }

  /** The field's path, e.g. {@code tenants[0].targets[1].url}; empty for the whole file. */
  public String field() {
    return field;
  }

  /** What is wrong, without the position. */
  public String problem() {
    return problem;
  }
}
