package io.tillwatch.promql;

/** An expression that cannot be parsed or evaluated; the message starts with {@code line:col:}. */
public final class PromqlException extends RuntimeException {
  public PromqlException(String message) {
    super(message);
  }
}
