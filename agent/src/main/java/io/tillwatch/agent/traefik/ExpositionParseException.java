package io.tillwatch.agent.traefik;

/** A malformed exposition, with the 1-based line where it went wrong. */
public final class ExpositionParseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int line;

  public ExpositionParseException(int line, String message) {
    super("line " + line + ": " + message);
    this.line = line;
  }

  /** 1-based line number. */
  public int line() {
    return line;
  }
}
