package io.tillwatch.promql;

/** An expression that cannot be parsed or evaluated; the message starts with {@code line:col:}. */
public class PromqlException extends RuntimeException {
  public PromqlException(String message) {
    super(message);
  }
}
