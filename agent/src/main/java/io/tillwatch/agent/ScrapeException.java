package io.tillwatch.agent;

/**
 * A scrape failure whose reason a collector knows better than the exception's class would say, e.g.
 * {@code permission} or {@code parse}.
 */
public final class ScrapeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String reason;

  /**
   * @param reason short, stable, low-cardinality word for the {@code reason} label
   * @param message what happened, for the log
   */
  public ScrapeException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public ScrapeException(String reason, String message) {
    this(reason, message, null);
  }

  /** The value of the {@code reason} label. */
  public String reason() {
    return reason;
  }
}
